package io.impflow.model.artifact;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.impflow.model.calibration.Calibration;
import io.impflow.model.flow.ActivationKind;
import io.impflow.model.flow.FlowSpec;
import io.impflow.model.flow.GaussianMixture;
import io.impflow.model.flow.InputTransform;
import io.impflow.model.flow.Standardization;
import io.impflow.model.flow.TensorNames;
import io.impflow.model.linalg.SingularValues;
import io.impflow.model.train.FlowWeights;
import io.impflow.model.train.TrainableFlow;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Writes and reads model artifacts: a directory with {@code manifest.json}, {@code params.bin} (big-endian float64
 * tensors in manifest order) and {@code checksums.sha256} (SHA-256 of the other two, {@code sha256sum -c} format).
 */
public final class ModelArtifact {

    /**
     * The format version this build writes. Version 2 adds the whitening and the constant features of the input
     * transform; version 1 artifacts (standardization only) still load and score exactly as before.
     */
    public static final int FORMAT_VERSION = 2;
    /** The oldest format version this build reads. */
    public static final int OLDEST_READABLE_FORMAT_VERSION = 1;
    /** Manifest file name. */
    public static final String MANIFEST = "manifest.json";
    /** Parameter file name. */
    public static final String PARAMS = "params.bin";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private ModelArtifact() {
    }

    /**
     * Exports trained weights: applies the spectral normalization, computes the exact largest singular value of
     * every linear map in float64 and rescales it to ≤ c so Lip(g) ≤ c^(layers+1) &lt; 1 is guaranteed, then writes
     * params, manifest and checksums into a temporary sibling directory and renames it to {@code dir}.
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
        return write(dir, spec, weights, InputTransform.standardizationOnly(standardization), null, featureNames,
                calibration, provenance);
    }

    /**
     * {@link #write(Path, FlowSpec, FlowWeights, Standardization, List, Calibration, Map)} with a full input
     * transform and a base density (constant features set aside, whitening).
     *
     * @param dir target directory; must not exist yet (or be empty)
     * @param spec the architecture over the transform's d' varying features
     * @param weights trainable weights and spectral-norm state
     * @param transform the raw-row-to-flow-input map fitted on the training rows
     * @param base the flow's base density, or null for the standard normal
     * @param featureNames all d feature names
     * @param calibration calibration, or null
     * @param provenance training provenance (JSON-serializable values)
     * @return the artifact's version id
     * @throws ArtifactException if the directory exists or writing fails
     */
    public static String write(Path dir, FlowSpec spec, FlowWeights weights, InputTransform transform,
                               GaussianMixture base, List<String> featureNames, Calibration calibration,
                               Map<String, Object> provenance)
            throws ArtifactException {
        FlowWeights effective;
        try (TrainableFlow flow = TrainableFlow.create(spec, 0L, Device.cpu(), DataType.FLOAT64)) {
            flow.restore(weights);
            effective = flow.effectiveWeights();
        }
        Map<String, Double> bounds = new LinkedHashMap<>();
        for (int k = 0; k < spec.blocks(); k++) {
            for (String mlp : spec.mlpNames()) {
                double bound = 1;
                for (int l = 0; l <= spec.layers(); l++) {
                    String name = TensorNames.weight(k, mlp, l);
                    double[] w = effective.get(name);
                    double sigma = SingularValues.largest(w, spec.outputWidth(l), spec.inputWidth(l));
                    if (!Double.isFinite(sigma)) {
                        throw new ArtifactException(ArtifactException.Kind.MALFORMED, dir,
                                "weight " + name + " is not finite; training diverged, do not export it");
                    }
                    if (sigma > spec.lipschitz()) {
                        double factor = spec.lipschitz() / sigma;
                        for (int i = 0; i < w.length; i++) {
                            w[i] *= factor;
                        }
                        effective = effective.with(name, w);
                        sigma = SingularValues.largest(w, spec.outputWidth(l), spec.inputWidth(l));
                    }
                    bound *= sigma;
                }
                bounds.put(k + "." + mlp, bound);
            }
        }
        Manifest manifest = new Manifest(FORMAT_VERSION, "", "", spec, List.copyOf(featureNames),
                transform.standardization(), calibration,
                provenance == null ? Map.of() : new LinkedHashMap<>(provenance), PARAMS, tensorEntries(effective),
                bounds, transform.whitening(), transform.constants(),
                base == null || base.isStandardNormal() ? null : base);
        return writeEffective(dir, manifest, effective);
    }

    /**
     * Writes a copy of an artifact with a new calibration (and so a new version id), e.g. after {@code calibrate}.
     *
     * @param source existing artifact
     * @param target new directory
     * @param calibration the calibration to store
     * @return the new version id
     * @throws ArtifactException if the source is refused or writing fails
     */
    public static String withCalibration(Path source, Path target, Calibration calibration) throws ArtifactException {
        LoadedArtifact loaded = read(source);
        return writeEffective(target, loaded.manifest().withCalibration(calibration), loaded.weights());
    }

    private static List<Manifest.TensorEntry> tensorEntries(FlowWeights weights) {
        List<Manifest.TensorEntry> entries = new ArrayList<>();
        for (String name : weights.names()) {
            entries.add(new Manifest.TensorEntry(name, weights.shape(name)));
        }
        return entries;
    }

    private static String writeEffective(Path dir, Manifest draft, FlowWeights effective) throws ArtifactException {
        validate(dir, draft);
        byte[] params = encode(effective);
        String version;
        byte[] manifestBytes;
        try {
            // the version names what the model is (structure, weights, transform, base, calibration), not where or
            // when it was trained: the provenance and the writing time stay out of it, so refitting the same data
            // with the same settings and seed gives the same version
            Manifest unversioned = new Manifest(draft.formatVersion(), "", "", draft.spec(), draft.featureNames(),
                    draft.standardization(), draft.calibration(), null, draft.parameterFile(),
                    draft.tensors(), draft.lipschitzBounds(), draft.whitening(), draft.constantFeatures(),
                    draft.baseDensity());
            byte[] identity = JSON.writeValueAsBytes(unversioned);
            version = Checksums.sha256(concat(identity, params)).substring(0, 16);
            Manifest manifest = new Manifest(draft.formatVersion(), version, Instant.now().toString(), draft.spec(),
                    draft.featureNames(), draft.standardization(), draft.calibration(), draft.provenance(),
                    draft.parameterFile(), draft.tensors(), draft.lipschitzBounds(), draft.whitening(),
                    draft.constantFeatures(), draft.baseDensity());
            manifestBytes = JSON.writeValueAsBytes(manifest);
        } catch (IOException e) {
            throw new ArtifactException(ArtifactException.Kind.MALFORMED, dir,
                    "manifest cannot be serialized (provenance values must be JSON-serializable): " + e.getMessage(), e);
        }
        Path absolute = dir.toAbsolutePath();
        Path temp = absolute.resolveSibling("." + absolute.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            if (Files.exists(absolute)) {
                try (var entries = Files.list(absolute)) {
                    if (entries.findAny().isPresent()) {
                        throw new ArtifactException(ArtifactException.Kind.IO, dir,
                                "target directory exists and is not empty; choose a new directory per model version");
                    }
                }
                Files.delete(absolute);
            }
            Files.createDirectories(temp);
            Files.write(temp.resolve(PARAMS), params);
            Files.write(temp.resolve(MANIFEST), manifestBytes);
            Checksums.write(temp, List.of(MANIFEST, PARAMS));
            Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteQuietly(temp);
            throw new ArtifactException(ArtifactException.Kind.IO, dir, "cannot write artifact: " + e, e);
        }
        return version;
    }

    private static void validate(Path dir, Manifest m) throws ArtifactException {
        int d = m.spec().dimension();
        int constant = m.constantFeatures().size();
        if (m.featureNames().size() != d + constant) {
            throw new ArtifactException(ArtifactException.Kind.MALFORMED, dir, "spec dimension is " + d + " and "
                    + constant + " feature(s) are constant, but " + m.featureNames().size()
                    + " feature names were given");
        }
        if (m.standardization().dimension() != d) {
            throw new ArtifactException(ArtifactException.Kind.MALFORMED, dir, "spec dimension is " + d
                    + " but the standardization has " + m.standardization().dimension() + " features");
        }
        if (m.baseDensity() != null && m.baseDensity().dimension() != d) {
            throw new ArtifactException(ArtifactException.Kind.MALFORMED, dir, "spec dimension is " + d
                    + " but the base density has " + m.baseDensity().dimension());
        }
        try {
            m.inputTransform();
        } catch (IllegalArgumentException e) {
            throw new ArtifactException(ArtifactException.Kind.MALFORMED, dir, "input transform: " + e.getMessage(), e);
        }
        for (var c : m.constantFeatures()) {
            if (!m.featureNames().get(c.index()).equals(c.name())) {
                throw new ArtifactException(ArtifactException.Kind.MALFORMED, dir, "constant feature " + c.index()
                        + " is named '" + c.name() + "' but feature " + c.index() + " is '"
                        + m.featureNames().get(c.index()) + "'");
            }
        }
    }

    private static byte[] encode(FlowWeights weights) {
        int count = 0;
        for (String name : weights.names()) {
            count += weights.get(name).length;
        }
        ByteBuffer buffer = ByteBuffer.allocate(count * Double.BYTES).order(ByteOrder.BIG_ENDIAN);
        for (String name : weights.names()) {
            for (double v : weights.get(name)) {
                buffer.putDouble(v);
            }
        }
        return buffer.array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static void deleteQuietly(Path temp) {
        try (var walk = Files.walk(temp)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException ignored) {
            // best effort: the temporary directory is hidden and named uniquely
        }
    }

    /**
     * Reads and verifies an artifact: checksums, format version, structure and the Lip(g) &lt; 1 guarantee.
     *
     * @param dir the artifact directory
     * @return manifest and effective weights
     * @throws ArtifactException with a {@link ArtifactException.Kind} saying what failed
     */
    public static LoadedArtifact read(Path dir) throws ArtifactException {
        if (!Files.isDirectory(dir)) {
            throw new ArtifactException(ArtifactException.Kind.MISSING_FILE, dir,
                    "model artifact directory does not exist; pass the directory the trainer wrote");
        }
        Checksums.verify(dir, List.of(MANIFEST, PARAMS));
        Path manifestFile = dir.resolve(MANIFEST);
        Manifest manifest;
        try {
            ManifestLimits.checkFileSize(manifestFile, Files.size(manifestFile), ManifestLimits.MAX_MANIFEST_BYTES);
            JsonNode tree = JSON.readTree(manifestFile.toFile());
            JsonNode format = tree.get("formatVersion");
            if (format == null || !format.isInt()) {
                throw new ArtifactException(ArtifactException.Kind.MALFORMED, manifestFile,
                        "no integer formatVersion field");
            }
            if (format.intValue() < OLDEST_READABLE_FORMAT_VERSION || format.intValue() > FORMAT_VERSION) {
                throw new ArtifactException(ArtifactException.Kind.UNSUPPORTED_FORMAT_VERSION, manifestFile,
                        "format version " + format.intValue() + " is not supported; this build reads versions "
                                + OLDEST_READABLE_FORMAT_VERSION + " to " + FORMAT_VERSION
                                + " (use a matching impflow release, or retrain the model with this one)");
            }
            if (format.intValue() == 1 && (tree.hasNonNull("whitening") || tree.path("constantFeatures").size() > 0
                    || tree.hasNonNull("baseDensity"))) {
                throw new ArtifactException(ArtifactException.Kind.MALFORMED, manifestFile,
                        "format version 1 has no whitening or constant features, but this manifest lists them");
            }
            manifest = JSON.treeToValue(tree, Manifest.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new ArtifactException(ArtifactException.Kind.MALFORMED, manifestFile,
                    "invalid manifest: " + e.getMessage(), e);
        }
        long parameters = ManifestLimits.check(manifestFile, manifest);
        validate(dir, manifest);
        FlowWeights weights = decode(dir.resolve(manifest.parameterFile()), manifest, parameters);
        checkLipschitz(manifestFile, manifest.spec(), weights);
        return new LoadedArtifact(manifest, weights);
    }

    private static FlowWeights decode(Path file, Manifest manifest, long parameters) throws ArtifactException {
        FlowSpec spec = manifest.spec();
        Map<String, long[]> expected = new LinkedHashMap<>();
        for (int k = 0; k < spec.blocks(); k++) {
            for (String mlp : spec.mlpNames()) {
                for (int l = 0; l <= spec.layers(); l++) {
                    expected.put(TensorNames.weight(k, mlp, l), new long[] {spec.outputWidth(l), spec.inputWidth(l)});
                    expected.put(TensorNames.bias(k, mlp, l), new long[] {spec.outputWidth(l)});
                    if (l < spec.layers() && spec.activation() == ActivationKind.LIPSWISH) {
                        expected.put(TensorNames.beta(k, mlp, l), new long[] {1});
                    }
                }
            }
        }
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (Manifest.TensorEntry t : manifest.tensors()) {
            long[] want = expected.get(t.name());
            if (want == null || !Arrays.equals(want, t.shape())) {
                throw new ArtifactException(ArtifactException.Kind.MALFORMED, file, "tensor " + t.name()
                        + " with shape " + Arrays.toString(t.shape()) + " does not fit the spec " + spec);
            }
            shapes.put(t.name(), t.shape());
        }
        if (!shapes.keySet().equals(expected.keySet())) {
            throw new ArtifactException(ArtifactException.Kind.MALFORMED, file,
                    "manifest lists tensors " + shapes.keySet() + " but the spec needs " + expected.keySet());
        }
        byte[] bytes;
        try {
            // the size is checked before reading: ManifestLimits bounds the parameter count, so is the allocation
            long size = Files.size(file);
            if (size != parameters * Double.BYTES) {
                throw new ArtifactException(ArtifactException.Kind.MALFORMED, file,
                        "has " + size + " bytes but the manifest's tensors need " + parameters * Double.BYTES);
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ArtifactException(ArtifactException.Kind.IO, file, "cannot read: " + e.getMessage(), e);
        }
        if (bytes.length != parameters * Double.BYTES) {
            throw new ArtifactException(ArtifactException.Kind.MALFORMED, file,
                    "has " + bytes.length + " bytes but the manifest's tensors need " + parameters * Double.BYTES);
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        Map<String, double[]> values = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            double[] data = new double[Math.toIntExact(Arrays.stream(e.getValue()).reduce(1, (a, b) -> a * b))];
            for (int i = 0; i < data.length; i++) {
                data[i] = buffer.getDouble();
                if (!Double.isFinite(data[i])) {
                    throw new ArtifactException(ArtifactException.Kind.MALFORMED, file,
                            "tensor " + e.getKey() + " element " + i + " is not finite");
                }
            }
            values.put(e.getKey(), data);
        }
        return new FlowWeights(shapes, values);
    }

    /** Refuses weights for which Π_l σ_max(W_l) ≥ 1 for some MLP (activations have slope ≤ 1), or β ≤ 0. */
    private static void checkLipschitz(Path manifestFile, FlowSpec spec, FlowWeights weights)
            throws ArtifactException {
        for (int k = 0; k < spec.blocks(); k++) {
            for (String mlp : spec.mlpNames()) {
                double bound = 1;
                for (int l = 0; l <= spec.layers(); l++) {
                    bound *= SingularValues.largest(weights.get(TensorNames.weight(k, mlp, l)),
                            spec.outputWidth(l), spec.inputWidth(l));
                    if (l < spec.layers() && spec.activation() == ActivationKind.LIPSWISH
                            && !(weights.get(TensorNames.beta(k, mlp, l))[0] > 0)) {
                        throw new ArtifactException(ArtifactException.Kind.MALFORMED, manifestFile,
                                "LipSwish beta of block " + k + " " + mlp + " layer " + l + " must be > 0");
                    }
                }
                if (!(bound < 1)) {
                    throw new ArtifactException(ArtifactException.Kind.LIPSCHITZ_VIOLATION, manifestFile,
                            "block " + k + " MLP " + mlp + " has Lipschitz bound " + bound
                                    + " >= 1 (product of exact largest singular values); the implicit equations"
                                    + " may have no unique solution, so the model is refused (re-export it)");
                }
            }
        }
    }
}
