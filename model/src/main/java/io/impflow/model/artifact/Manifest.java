package io.impflow.model.artifact;

import io.impflow.model.calibration.Calibration;
import io.impflow.model.flow.ConstantFeature;
import io.impflow.model.flow.FlowSpec;
import io.impflow.model.flow.GaussianMixture;
import io.impflow.model.flow.InputTransform;
import io.impflow.model.flow.Standardization;
import io.impflow.model.flow.Whitening;
import java.util.List;
import java.util.Map;

/**
 * The {@code manifest.json} of a model artifact: what the model is, how inputs are standardized, how it is
 * calibrated, where it came from, and the layout of the parameter file.
 *
 * @param formatVersion artifact format version ({@link ModelArtifact#FORMAT_VERSION} when written by this build)
 * @param version the artifact's version id (derived from its content)
 * @param createdAt ISO-8601 instant of writing
 * @param spec the architecture; its dimension is the number of varying features d'
 * @param featureNames names of all d input features, in column order (constant ones included)
 * @param standardization train mean and scale of each of the d' varying features
 * @param calibration threshold and quantile table, or null when not calibrated
 * @param provenance free-form training provenance (data hash, config, seed, versions)
 * @param parameterFile name of the parameter file in the artifact directory
 * @param tensors the tensors stored in the parameter file, in order
 * @param lipschitzBounds per residual MLP, the guaranteed bound Π σ_max(W_l) computed exactly at export
 * @param whitening lower-triangular whitening of the standardized varying features (format 2), or null for none
 * @param constantFeatures features constant in training, not modelled by the flow (format 2); null or empty for none
 * @param baseDensity the flow's base density (format 2), or null for the standard normal
 */
public record Manifest(int formatVersion, String version, String createdAt, FlowSpec spec, List<String> featureNames,
                       Standardization standardization, Calibration calibration, Map<String, Object> provenance,
                       String parameterFile, List<TensorEntry> tensors, Map<String, Double> lipschitzBounds,
                       Whitening whitening, List<ConstantFeature> constantFeatures, GaussianMixture baseDensity) {

    /** Normalizes an absent constant-feature list (format-1 manifests) to the empty list. */
    public Manifest {
        constantFeatures = constantFeatures == null ? List.of() : List.copyOf(constantFeatures);
    }

    /** The base density: {@link #baseDensity()}, or the standard normal when there is none. */
    public GaussianMixture base() {
        return baseDensity == null ? GaussianMixture.standardNormal(spec.dimension()) : baseDensity;
    }

    /** The raw-row-to-flow-input map these fields describe. */
    public InputTransform inputTransform() {
        return new InputTransform(featureNames.size(), constantFeatures, standardization, whitening);
    }

    /**
     * One tensor of the parameter file: its name and shape; data are big-endian float64 in row-major order,
     * tensors stored back to back in manifest order.
     *
     * @param name parameter name, e.g. {@code block0.gz.linear1.weight}
     * @param shape dimensions
     */
    public record TensorEntry(String name, long[] shape) {
        /** Number of elements. */
        public long elementCount() {
            long n = 1;
            for (long s : shape) {
                n *= s;
            }
            return n;
        }
    }

    /** Returns a copy with another calibration (the version id is left to the writer). */
    public Manifest withCalibration(Calibration newCalibration) {
        return new Manifest(formatVersion, version, createdAt, spec, featureNames, standardization, newCalibration,
                provenance, parameterFile, tensors, lipschitzBounds, whitening, constantFeatures, baseDensity);
    }
}
