package io.impflow.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import io.impflow.model.artifact.ArtifactException;
import io.impflow.model.artifact.LoadedArtifact;
import io.impflow.model.artifact.Manifest;
import io.impflow.model.artifact.ModelArtifact;
import io.impflow.model.calibration.Calibration;
import io.impflow.model.flow.BlockOutput;
import io.impflow.model.flow.ConstantFeature;
import io.impflow.model.flow.Flow;
import io.impflow.model.flow.FlowLikelihood;
import io.impflow.model.flow.InputTransform;
import io.impflow.model.scoring.BatchScores;
import io.impflow.model.scoring.RowStatus;
import io.impflow.model.solver.SolverSettings;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * A loaded, verified density model that scores raw feature rows by exact float64 log-likelihood; thread-safe.
 */
public final class DensityModel implements AutoCloseable {
    /** Finite-difference step of {@link #attribution(double[])}, in standardized units. */
    public static final double ATTRIBUTION_STEP = 1e-5;

    private final Manifest manifest;
    private final InputTransform transform;
    private final NDManager manager;
    private final Flow flow;
    private final SolverSettings settings;

    private DensityModel(Manifest manifest, NDManager manager, Flow flow, SolverSettings settings) {
        this.manifest = manifest;
        this.transform = manifest.inputTransform();
        this.manager = manager;
        this.flow = flow;
        this.settings = settings;
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
        LoadedArtifact loaded = ModelArtifact.read(artifactDir);
        NDManager manager = Engine.getInstance().newBaseManager(device);
        Flow flow = Flow.create(loaded.manifest().spec(), loaded.weights(), manager)
                .withBase(loaded.manifest().baseDensity());
        return new DensityModel(loaded.manifest(), manager, flow, SolverSettings.DEFAULT);
    }

    /** The artifact manifest. */
    public Manifest manifest() {
        return manifest;
    }

    /** The artifact's version id. */
    public String version() {
        return manifest.version();
    }

    /** Number of input features d (constant ones included). */
    public int dimension() {
        return transform.inputDimension();
    }

    /** The map from raw rows to the flow's input: constant features, standardization, whitening. */
    public InputTransform inputTransform() {
        return transform;
    }

    /** Feature names in column order. */
    public List<String> featureNames() {
        return manifest.featureNames();
    }

    /** The calibration stored in the artifact, if any. */
    public Optional<Calibration> calibration() {
        return Optional.ofNullable(manifest.calibration());
    }

    /**
     * Scores raw rows: exact log-likelihood in raw feature space, float64, no autograd graph. Rows that are not
     * finite or have the wrong length are rejected per row; rows whose solve does not converge are flagged; no row
     * fails the batch. A row that departs from a feature that was constant in training scores −∞ with that feature
     * in {@link BatchScores#constantDeparture()}. Thread-safe.
     *
     * @param rawRows rows of raw feature values
     * @return per-row scores aligned with the input
     */
    public BatchScores score(double[][] rawRows) {
        int n = rawRows.length;
        int d = dimension();
        double[] ll = new double[n];
        double[] residual = new double[n];
        int[] iterations = new int[n];
        RowStatus[] status = new RowStatus[n];
        int[] departure = new int[n];
        Arrays.fill(departure, -1);
        Arrays.fill(ll, Double.NaN);
        Arrays.fill(residual, Double.NaN);
        int[] valid = new int[n];
        int count = 0;
        for (int i = 0; i < n; i++) {
            double[] row = rawRows[i];
            if (row == null || row.length != d) {
                status[i] = RowStatus.DIMENSION_MISMATCH;
            } else if (!allFinite(row)) {
                status[i] = RowStatus.NON_FINITE_INPUT;
            } else {
                valid[count++] = i;
            }
        }
        double[][] flowInput = new double[count][];
        for (int k = 0; k < count; k++) {
            flowInput[k] = transform.apply(rawRows[valid[k]]);
        }
        Scored scored = scoreFlowInput(flowInput);
        double logJacobian = transform.logAbsDetJacobian();
        for (int k = 0; k < count; k++) {
            int i = valid[k];
            residual[i] = scored.residual[k];
            iterations[i] = scored.iterations[k];
            ConstantFeature departed = transform.departure(rawRows[i]);
            if (departed != null) {
                // the departure alone makes log p = −∞, whatever the solve of the varying features did
                status[i] = RowStatus.SCORED;
                ll[i] = Double.NEGATIVE_INFINITY;
                departure[i] = departed.index();
            } else if (scored.usable(k)) {
                status[i] = RowStatus.SCORED;
                ll[i] = scored.logLikelihood[k] + logJacobian;
            } else {
                status[i] = RowStatus.NOT_CONVERGED;
            }
        }
        return new BatchScores(ll, residual, iterations, status, departure);
    }

    /** Flow-input-space log-likelihoods and diagnostics of finite rows of length d'. */
    private Scored scoreFlowInput(double[][] rows) {
        if (rows.length == 0) {
            return new Scored(new double[0], new double[0], new int[0], new boolean[0]);
        }
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager call = manager.newSubManager()) {
            FlowLikelihood result = flow.logLikelihood(call.create(flatten(rows),
                    new Shape(rows.length, transform.flowDimension())), settings);
            return new Scored(result.logLikelihood(), result.residual(), result.iterations(), result.converged());
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /** Row-major copy; {@code NDManager.create(double[][])} is several times slower for large batches. */
    private static double[] flatten(double[][] rows) {
        int d = rows.length == 0 ? 0 : rows[0].length;
        double[] flat = new double[rows.length * d];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * d, d);
        }
        return flat;
    }

    private record Scored(double[] logLikelihood, double[] residual, int[] iterations, boolean[] converged) {
        /** Whether row k has a log-likelihood to report: its solves converged and the value is finite. */
        boolean usable(int k) {
            return converged[k] && Double.isFinite(logLikelihood[k]);
        }
    }

    private static boolean allFinite(double[] row) {
        for (double v : row) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /**
     * d log p / d s_j for each standardized feature s_j = (x_j − mean_j) / scale_j of one raw row, by central finite
     * differences of the exact float64 log-likelihood (step {@value #ATTRIBUTION_STEP} in standardized units). For
     * explaining alerts; costs one batch of 2d' scorings. A feature that was constant in training gets 0, or −∞ when
     * the row departs from its training value (that alone makes log p = −∞).
     *
     * @param rawRow one raw row of length d
     * @return the d partial derivatives
     * @throws IllegalArgumentException if the row cannot be scored (wrong length, non-finite, not converged)
     */
    public double[] attribution(double[] rawRow) {
        double[] gradient = attribution(new double[][] {rawRow})[0];
        if (gradient == null) {
            throw new IllegalArgumentException("attribution: the solve did not converge next to row "
                    + Arrays.toString(rawRow));
        }
        return gradient;
    }

    /**
     * {@link #attribution(double[])} of many raw rows with one scoring call: the 2d probes of every row are scored
     * together, so explaining all alerts of a micro-batch costs one batch of 2·d·n scorings. A row's result does not
     * depend on the other rows beyond the solver tolerance.
     *
     * @param rawRows finite rows of length d
     * @return per row, the d partial derivatives, or {@code null} for a row some of whose probes did not converge
     * @throws IllegalArgumentException naming the first row that has the wrong length or a non-finite value
     */
    public double[][] attribution(double[][] rawRows) {
        int d = dimension();
        int m = transform.flowDimension();
        double[][] probes = new double[2 * m * rawRows.length][];
        for (int i = 0; i < rawRows.length; i++) {
            double[] row = rawRows[i];
            if (row == null || row.length != d || !allFinite(row)) {
                throw new IllegalArgumentException("attribution needs finite rows of length " + d + ", row " + i
                        + " is " + Arrays.toString(row));
            }
            double[] s = transform.standardize(row);
            for (int j = 0; j < m; j++) {
                double[] plus = s.clone();
                plus[j] += ATTRIBUTION_STEP;
                double[] minus = s.clone();
                minus[j] -= ATTRIBUTION_STEP;
                probes[2 * (i * m + j)] = transform.whiten(plus);
                probes[2 * (i * m + j) + 1] = transform.whiten(minus);
            }
        }
        double[][] gradients = new double[rawRows.length][];
        if (probes.length == 0) {
            return gradients;
        }
        Scored s = scoreFlowInput(probes);
        int[] varying = transform.varyingIndex();
        for (int i = 0; i < rawRows.length; i++) {
            double[] gradient = new double[d];
            for (int j = 0; j < m && gradient != null; j++) {
                int plus = 2 * (i * m + j);
                if (!s.usable(plus) || !s.usable(plus + 1)) {
                    gradient = null;
                } else {
                    gradient[varying[j]] = (s.logLikelihood[plus] - s.logLikelihood[plus + 1])
                            / (2 * ATTRIBUTION_STEP);
                }
            }
            if (gradient != null) {
                for (ConstantFeature c : transform.constants()) {
                    gradient[c.index()] = c.departs(rawRows[i][c.index()]) ? Double.NEGATIVE_INFINITY : 0;
                }
            }
            gradients[i] = gradient;
        }
        return gradients;
    }

    /**
     * Draws n samples in raw feature space: z from the base density with a seeded generator, mapped through the
     * inverse flow and the inverse input transform.
     *
     * @param n number of samples
     * @param seed random seed
     * @return n raw rows
     * @throws IllegalStateException if an inverse solve did not converge
     */
    public double[][] sample(int n, long seed) {
        if (n < 0) {
            throw new IllegalArgumentException("sample count must be >= 0, got " + n);
        }
        int d = transform.flowDimension();
        double[][] z = flow.base().sample(n, new Random(seed));
        if (n == 0) {
            return new double[0][];
        }
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager call = manager.newSubManager()) {
            BlockOutput x = flow.blocks().inverse(call.create(flatten(z), new Shape(n, d)), settings);
            double[] flat = x.output().toDoubleArray();
            double[][] out = new double[n][];
            for (int i = 0; i < n; i++) {
                if (!x.converged()[i]) {
                    throw new IllegalStateException("sample " + i + ": inverse solve did not converge (residual "
                            + x.residual()[i] + ")");
                }
                out[i] = transform.invert(Arrays.copyOfRange(flat, i * d, (i + 1) * d));
            }
            return out;
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /** Frees the model's native memory; scoring afterwards fails. */
    @Override
    public void close() {
        manager.close();
    }
}
