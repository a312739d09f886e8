package io.impflow.trainer.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A CSV destination: a file written to a temporary sibling and moved into place only when complete (so a failed
 * run leaves nothing partial), or stdout for {@code -}.
 */
final class CsvOutput {

  private CsvOutput() {}

  /** Writes the lines {@code body} produces to {@code target}, or to {@code stdout} when the target is {@code -}. */
  static void write(Path target, PrintWriter stdout, CsvBody body) throws IOException {
    if (target.toString().equals("-")) {
      body.writeTo(stdout);
      stdout.flush();
      return;
    }
    Path absolute = target.toAbsolutePath();
    Path directory = absolute.getParent();
    if (directory != null) {
      Files.createDirectories(directory);
    }
    Path temporary = Files.createTempFile(directory, "." + absolute.getFileName(), ".partial");
    try {
      try (Writer out = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
        body.writeTo(out);
      }
      Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | UncheckedIOException e) {
      Files.deleteIfExists(temporary);
      throw e;
    }
  }

  /** Produces the CSV text. */
  @FunctionalInterface
  interface CsvBody {
    /** Writes every line, header first. */
    void writeTo(Writer out) throws IOException;
  }
}
