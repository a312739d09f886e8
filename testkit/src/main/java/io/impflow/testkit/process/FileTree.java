package io.impflow.testkit.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Deleting a directory with everything in it, as a harness does with a child process's data on close. */
public final class FileTree {

    private FileTree() {
    }

    /**
     * Deletes {@code root} and everything below it, deepest first; a missing root is no error.
     *
     * @param root the directory (or file) to delete
     * @throws IOException if something cannot be listed or deleted
     */
    public static void delete(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
