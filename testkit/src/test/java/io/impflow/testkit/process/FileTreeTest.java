package io.impflow.testkit.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recursive deletion: nested trees, symbolic links (not followed), a missing root. */
class FileTreeTest {

    @TempDir Path dir;

    @Test
    void deletesANestedTreeAndTheRoot() throws IOException {
        Path root = Files.createDirectories(dir.resolve("root/a/b/c"));
        Files.writeString(root.resolve("leaf.txt"), "x");
        Files.writeString(dir.resolve("root/a/top.txt"), "y");
        Files.createDirectories(dir.resolve("root/empty"));
        FileTree.delete(dir.resolve("root"));
        assertThat(dir.resolve("root")).doesNotExist();
    }

    @Test
    void doesNotFollowSymbolicLinksOutOfTheTree() throws IOException {
        Path outside = Files.writeString(Files.createDirectories(dir.resolve("outside")).resolve("keep.txt"), "k");
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.createSymbolicLink(root.resolve("link"), outside.getParent());
        FileTree.delete(root);
        assertThat(root).doesNotExist();
        assertThat(outside).hasContent("k");
    }

    @Test
    void aMissingRootIsNoError() throws IOException {
        FileTree.delete(dir.resolve("never-created"));
        assertThat(FileTree.deleteQuietly(dir.resolve("never-created"))).isTrue();
    }
}
