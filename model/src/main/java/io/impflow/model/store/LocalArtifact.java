package io.impflow.model.store;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * A model artifact made readable from the local disk for {@code DensityModel.load}, which verifies it: a
 * {@code file:} artifact is used in place, any other is copied (its three files, each size-bounded) into a temporary
 * directory that {@link #close()} deletes.
 */
public final class LocalArtifact implements AutoCloseable {
    private final java.nio.file.Path directory;
    private final boolean temporary;

    private LocalArtifact(java.nio.file.Path directory, boolean temporary) {
        this.directory = directory;
        this.temporary = temporary;
    }

    /**
     * The artifact directory at {@code uri}, local or copied to the local disk.
     *
     * @throws IOException if no Flink file system serves the scheme, or copying fails
     */
    public static LocalArtifact fetch(URI uri) throws IOException {
        if ("file".equalsIgnoreCase(uri.getScheme())) {
            return new LocalArtifact(java.nio.file.Path.of(uri), false);
        }
        return copy(uri);
    }

    /** Copies the artifact at {@code uri} (any Flink file system) into a new temporary local directory. */
    static LocalArtifact copy(URI uri) throws IOException {
        FileSystem fs = FileSystem.get(uri);
        Path source = new Path(uri);
        java.nio.file.Path local = Files.createTempDirectory("impflow-artifact");
        try {
            for (ArtifactFiles file : ArtifactFiles.ALL) {
                Path remote = new Path(source, file.fileName);
                // a missing file is left missing: the loader refuses the artifact and names the file
                if (fs.exists(remote)) {
                    StoreIo.download(fs, remote, local.resolve(file.fileName), file.maxBytes);
                }
            }
        } catch (IOException | RuntimeException e) {
            delete(local);
            throw e;
        }
        return new LocalArtifact(local, true);
    }

    /** The local directory to load. */
    public java.nio.file.Path directory() {
        return directory;
    }

    /** Whether {@link #directory()} is a temporary copy. */
    public boolean isCopy() {
        return temporary;
    }

    /** Deletes the temporary copy, if there is one. */
    @Override
    public void close() throws IOException {
        if (temporary) {
            delete(directory);
        }
    }

    private static void delete(java.nio.file.Path dir) throws IOException {
        try (Stream<java.nio.file.Path> paths = Files.walk(dir)) {
            for (java.nio.file.Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
