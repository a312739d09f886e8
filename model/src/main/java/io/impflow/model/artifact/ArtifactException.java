package io.impflow.model.artifact;

import java.nio.file.Path;

/** A model artifact could not be written or was refused on load; {@link #kind()} says why, the message what to do. */
public final class ArtifactException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why an artifact was refused. */
    public enum Kind {
        /** A required file is absent. */
        MISSING_FILE,
        /** A file's SHA-256 differs from the one recorded in the checksum file. */
        CHECKSUM_MISMATCH,
        /** The manifest's format version is not one this build reads. */
        UNSUPPORTED_FORMAT_VERSION,
        /** The weights do not guarantee Lip(g) &lt; 1 for every residual MLP. */
        LIPSCHITZ_VIOLATION,
        /** A file is syntactically or structurally invalid. */
        MALFORMED,
        /** Reading or writing failed at the file-system level. */
        IO
    }

    private final Kind kind;
    private final transient Path path;

    /**
     * @param kind why
     * @param path the file or directory concerned
     * @param message what was wrong and what to do
     */
    public ArtifactException(Kind kind, Path path, String message) {
        super(path + ": " + message);
        this.kind = kind;
        this.path = path;
    }

    /**
     * @param kind why
     * @param path the file or directory concerned
     * @param message what was wrong and what to do
     * @param cause the underlying failure
     */
    public ArtifactException(Kind kind, Path path, String message, Throwable cause) {
        super(path + ": " + message, cause);
        this.kind = kind;
        this.path = path;
    }

    /** Why the artifact was refused. */
    public Kind kind() {
        return kind;
    }

    /** The file or directory concerned. */
    public Path path() {
        return path;
    }
}
