package io.impflow.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Deletes directory trees the demo created (temporary directories, unfinished models). */
final class FileTrees {
  private FileTrees() {}

  /**
   * Deletes {@code root} and everything below it; a missing root is fine.
   *
   * @throws IOException naming the first path that could not be deleted
   */
  static void delete(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  /** {@link #delete} for paths whose removal is best effort (scratch copies that a later run replaces anyway). */
  static void deleteQuietly(Path root) {
    try {
      delete(root);
    } catch (IOException e) {
      // A leftover scratch directory is named .training-<uuid> and never read; the next run ignores it.
    }
  }
}
