package io.impflow.model.store;

import io.impflow.model.artifact.Checksums;
import io.impflow.model.artifact.ManifestLimits;
import io.impflow.model.artifact.ModelArtifact;
import java.util.List;

/** The files of a model artifact that the store copies, each with the most bytes it may have. */
enum ArtifactFiles {
    MANIFEST(ModelArtifact.MANIFEST, ManifestLimits.MAX_MANIFEST_BYTES),
    PARAMS(ModelArtifact.PARAMS, ManifestLimits.MAX_PARAMETERS * Double.BYTES),
    CHECKSUMS(Checksums.FILE_NAME, ManifestLimits.MAX_CHECKSUM_FILE_BYTES);

    /** Every file, checksums last: a reader that finds the checksum file finds the files it lists. */
    static final List<ArtifactFiles> ALL = List.of(MANIFEST, PARAMS, CHECKSUMS);

    final String fileName;
    final long maxBytes;

    ArtifactFiles(String fileName, long maxBytes) {
        this.fileName = fileName;
        this.maxBytes = maxBytes;
    }
}
