package io.impflow.testkit.process;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Deleting a directory with everything in it, as a harness does with a child process's data on close, while the
 * processes that wrote it may still be removing parts of it themselves.
 */
public final class FileTree {

    private FileTree() {
    }

    /**
     * Deletes {@code root} and everything below it, deepest first; a missing root is no error, and neither is an
     * entry that disappears during the walk (a Flink or Kafka shutdown hook removing its own temporary directory at
     * the same moment).
     *
     * @param root the directory (or file) to delete
     * @throws IOException if something cannot be listed or deleted for another reason
     */
    public static void delete(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException failure) throws IOException {
                if (failure instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw failure;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path directory, IOException failure) throws IOException {
                if (failure != null && !(failure instanceof NoSuchFileException)) {
                    throw failure;
                }
                Files.deleteIfExists(directory);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * {@link #delete} for trees whose removal is best effort (scratch copies that a later run replaces anyway).
     *
     * @param root the directory (or file) to delete
     * @return whether everything is gone
     */
    public static boolean deleteQuietly(Path root) {
        try {
            delete(root);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
