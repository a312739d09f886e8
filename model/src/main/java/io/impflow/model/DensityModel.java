package io.impflow.model;

import ai.djl.Device;
import io.impflow.model.artifact.ArtifactException;
import io.impflow.model.artifact.Manifest;
import io.impflow.model.calibration.Calibration;
import io.impflow.model.scoring.BatchScores;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A loaded, verified density model that scores raw feature rows by exact float64 log-likelihood; thread-safe.
 */
public final class DensityModel implements AutoCloseable {

    private DensityModel() {
    }

    /**
     * Loads and verifies an artifact onto the CPU.
     *
     * @param artifactDir the artifact directory
     * @return the model
     * @throws ArtifactException if the artifact is missing, corrupt, of an unknown format or breaks Lip &lt; 1
     */
    public static DensityModel load(Path artifactDir) throws ArtifactException {
        return load(artifactDir, Device.cpu());
    }

    /** Loads and verifies an artifact onto a device. */
    public static DensityModel load(Path artifactDir, Device device) throws ArtifactException {
        throw new UnsupportedOperationException("issue 3: scoring is being implemented");
    }

    /** The artifact manifest. */
    public Manifest manifest() {
        throw new UnsupportedOperationException("issue 3: scoring is being implemented");
    }

    /** The artifact's version id. */
    public String version() {
        throw new UnsupportedOperationException("issue 3: scoring is being implemented");
    }

    /** Number of features d. */
    public int dimension() {
        throw new UnsupportedOperationException("issue 3: scoring is being implemented");
    }

    /** Feature names in column order. */
    public List<String> featureNames() {
        throw new UnsupportedOperationException("issue 3: scoring is being implemented");
    }

    /**
     * Scores raw rows: exact log-likelihood in raw feature space, float64, no autograd graph. Rows that are not
     * finite or have the wrong length are rejected per row; rows whose solve does not converge are flagged; no row
     * fails the batch. Thread-safe.
     *
     * @param rawRows rows of raw feature values
     * @return per-row scores aligned with the input
     */
    public BatchScores score(double[][] rawRows) {
        throw new UnsupportedOperationException("issue 3: scoring is being implemented");
    }

    /** The calibration stored in the artifact, if any. */
    public Optional<Calibration> calibration() {
        throw new UnsupportedOperationException("issue 3: scoring is being implemented");
    }

    /**
     * d log p / d u_j for each standardized feature u_j of one raw row, by central finite differences of the exact
     * float64 log-likelihood (step 1e-5 in standardized units). For explaining alerts; costs 2d extra scorings.
     *
     * @param rawRow one raw row of length d
     * @return the d partial derivatives
     * @throws IllegalArgumentException if the row cannot be scored (wrong length, non-finite, not converged)
     */
    public double[] attribution(double[] rawRow) {
        throw new UnsupportedOperationException("issue 3: scoring is being implemented");
    }

    /**
     * Draws n samples in raw feature space: z ~ N(0, I) from a seeded generator, mapped through the inverse flow.
     *
     * @param n number of samples
     * @param seed random seed
     * @return n raw rows
     */
    public double[][] sample(int n, long seed) {
        throw new UnsupportedOperationException("issue 3: scoring is being implemented");
    }

    /** Frees the model's native memory; scoring afterwards fails. */
    @Override
    public void close() {
        throw new UnsupportedOperationException("issue 3: scoring is being implemented");
    }
}
