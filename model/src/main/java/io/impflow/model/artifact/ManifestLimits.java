package io.impflow.model.artifact;

import io.impflow.model.flow.ActivationKind;
import io.impflow.model.flow.FlowSpec;
import java.nio.file.Path;
import java.util.List;

/**
 * Upper bounds on what an artifact may claim, checked when it is read before anything sized by those claims is
 * allocated: an artifact can arrive from an untrusted {@code ModelUpdate}, and a manifest saying "hidden = 2^30"
 * must be refused with a message, not answered with an out-of-memory error. The bounds are far above what the
 * trainer writes (dimension ≤ 64, a few blocks of width 64–256).
 */
public final class ManifestLimits {
    /** Largest {@code manifest.json} read (a pretty-printed 64-dimensional 64-component mixture is ~8 MiB). */
    public static final long MAX_MANIFEST_BYTES = 16L << 20;
    /** Largest {@code checksums.sha256} read. */
    public static final long MAX_CHECKSUM_FILE_BYTES = 64L << 10;
    /** Most input features, constant ones included (the flow itself models at most {@link FlowSpec#MAX_DIMENSION}). */
    public static final int MAX_FEATURES = 1024;
    /** Longest feature name, tensor name, version id or parameter file name, in characters. */
    public static final int MAX_NAME_LENGTH = 256;
    /** Most flow blocks. */
    public static final int MAX_BLOCKS = 64;
    /** Widest hidden layer. */
    public static final int MAX_HIDDEN = 4096;
    /** Most hidden layers per residual MLP. */
    public static final int MAX_LAYERS = 16;
    /** Most float64 parameters in {@code params.bin} (256 MiB). */
    public static final long MAX_PARAMETERS = 1L << 25;
    /** Most components of the base mixture. */
    public static final int MAX_BASE_COMPONENTS = 64;

    private ManifestLimits() {
    }

    /** Refuses a file larger than {@code maxBytes} before it is read. */
    static void checkFileSize(Path file, long size, long maxBytes) throws ArtifactException {
        if (size > maxBytes) {
            throw new ArtifactException(ArtifactException.Kind.MALFORMED, file, "is " + size + " bytes; an artifact's "
                    + file.getFileName() + " is at most " + maxBytes + " bytes, so it is not read");
        }
    }

    /**
     * Refuses a manifest whose sizes exceed the bounds, naming the field.
     *
     * @return the number of float64 parameters the spec needs
     */
    static long check(Path manifestFile, Manifest m) throws ArtifactException {
        if (m.spec() == null || m.featureNames() == null || m.standardization() == null || m.tensors() == null
                || m.parameterFile() == null) {
            throw malformed(manifestFile, "lacks one of spec, featureNames, standardization, tensors, parameterFile");
        }
        FlowSpec spec = m.spec();
        bound(manifestFile, "spec.blocks", spec.blocks(), MAX_BLOCKS);
        bound(manifestFile, "spec.hidden", spec.hidden(), MAX_HIDDEN);
        bound(manifestFile, "spec.layers", spec.layers(), MAX_LAYERS);
        bound(manifestFile, "featureNames (count)", m.featureNames().size(), MAX_FEATURES);
        names(manifestFile, "featureNames", m.featureNames());
        name(manifestFile, "version", m.version());
        name(manifestFile, "parameterFile", m.parameterFile());
        if (!m.parameterFile().equals(ModelArtifact.PARAMS)) {
            // only params.bin is covered by the checksums verified before the manifest is read
            throw malformed(manifestFile, "parameterFile must be " + ModelArtifact.PARAMS + ", got '"
                    + m.parameterFile() + "'");
        }
        if (m.baseDensity() != null) {
            bound(manifestFile, "baseDensity (components)", m.baseDensity().components(), MAX_BASE_COMPONENTS);
        }
        if (m.calibration() != null && m.calibration().levels() != null) {
            bound(manifestFile, "calibration.levels (count)", m.calibration().levels().length,
                    io.impflow.model.calibration.Calibration.MAX_TABLE_SIZE);
        }
        long parameters = parameterCount(spec);
        if (parameters > MAX_PARAMETERS) {
            throw malformed(manifestFile, "spec " + spec + " needs " + parameters + " parameters; at most "
                    + MAX_PARAMETERS + " are read");
        }
        // one entry per weight, bias and (LipSwish) beta tensor
        long tensors = (long) spec.blocks() * spec.mlpNames().size() * (spec.layers() + 1)
                * (spec.activation() == ActivationKind.LIPSWISH ? 3 : 2);
        bound(manifestFile, "tensors (count)", m.tensors().size(), tensors);
        for (Manifest.TensorEntry t : m.tensors()) {
            name(manifestFile, "tensor name", t.name());
        }
        return parameters;
    }

    /** Float64 parameters of every residual MLP of the spec: weights, biases and LipSwish betas. */
    static long parameterCount(FlowSpec spec) {
        long perMlp = 0;
        for (int l = 0; l <= spec.layers(); l++) {
            perMlp += (long) spec.outputWidth(l) * spec.inputWidth(l) + spec.outputWidth(l);
            if (l < spec.layers() && spec.activation() == ActivationKind.LIPSWISH) {
                perMlp += 1;
            }
        }
        return perMlp * spec.mlpNames().size() * spec.blocks();
    }

    private static void bound(Path file, String field, long value, long max) throws ArtifactException {
        if (value > max) {
            throw malformed(file, field + " is " + value + "; at most " + max + " is accepted");
        }
    }

    private static void names(Path file, String field, List<String> values) throws ArtifactException {
        for (String value : values) {
            name(file, field, value);
        }
    }

    private static void name(Path file, String field, String value) throws ArtifactException {
        if (value != null && value.length() > MAX_NAME_LENGTH) {
            throw malformed(file, field + " '" + value.substring(0, 32) + "…' has " + value.length()
                    + " characters; at most " + MAX_NAME_LENGTH + " are accepted");
        }
    }

    private static ArtifactException malformed(Path file, String message) {
        return new ArtifactException(ArtifactException.Kind.MALFORMED, file, message);
    }
}
