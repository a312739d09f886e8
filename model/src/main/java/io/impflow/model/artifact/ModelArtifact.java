package io.impflow.model.artifact;

import io.impflow.model.calibration.Calibration;
import io.impflow.model.flow.FlowSpec;
import io.impflow.model.flow.Standardization;
import io.impflow.model.train.FlowWeights;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes and reads model artifacts: a directory with {@code manifest.json}, {@code params.bin} and
 * {@code checksums.sha256} (SHA-256 of the other two, {@code sha256sum -c} format).
 */
public final class ModelArtifact {

    /** The format version this build writes and the only one it reads. */
    public static final int FORMAT_VERSION = 1;

    private ModelArtifact() {
    }

    /**
     * Exports trained weights: applies the spectral normalization, computes the exact largest singular value of
     * every linear map in float64 and rescales it to ≤ c so Lip(g) &lt; 1 is guaranteed, then writes params,
     * manifest and checksums into a temporary sibling directory and renames it to {@code dir}.
     *
     * @param dir target directory; must not exist yet (or be empty)
     * @param spec the architecture
     * @param weights trainable weights and spectral-norm state, e.g. from {@code TrainableFlow.snapshot()}
     * @param standardization the training standardization
     * @param featureNames d feature names
     * @param calibration calibration, or null
     * @param provenance training provenance (JSON-serializable values)
     * @return the artifact's version id
     * @throws ArtifactException if the directory exists or writing fails
     */
    public static String write(Path dir, FlowSpec spec, FlowWeights weights, Standardization standardization,
                               List<String> featureNames, Calibration calibration, Map<String, Object> provenance)
            throws ArtifactException {
        throw new UnsupportedOperationException("issue 3: artifact writing is being implemented");
    }

    /**
     * Reads and verifies an artifact: checksums, format version, structure and the Lip(g) &lt; 1 guarantee.
     *
     * @param dir the artifact directory
     * @return manifest and effective weights
     * @throws ArtifactException with a {@link ArtifactException.Kind} saying what failed
     */
    public static LoadedArtifact read(Path dir) throws ArtifactException {
        throw new UnsupportedOperationException("issue 3: artifact reading is being implemented");
    }
}
