package io.impflow.model.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import io.impflow.model.flow.ActivationKind;
import io.impflow.model.flow.Architecture;
import io.impflow.model.flow.Flow;
import io.impflow.model.flow.FlowLikelihood;
import io.impflow.model.flow.FlowSpec;
import io.impflow.model.flow.GaussianMixture;
import io.impflow.model.flow.TensorNames;
import io.impflow.model.nn.LipschitzMlp;
import io.impflow.model.nn.SpectralNorm;
import io.impflow.model.solver.NewtonSolver;
import io.impflow.model.solver.SolverResult;
import io.impflow.model.solver.SolverSettings;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * A flow with trainable parameters on a device, exposing the one-pass implicit-gradient training objective
 * (ARCHITECTURE §3) whose value is the exact log-likelihood and whose gradient is exact.
 *
 * <p>Typical loop: open a {@code GradientCollector}, {@code loss = logLikelihood(x).mean().neg()},
 * {@code backward(loss)}, update {@link #parameters()} in place (Adam, clipping) with grad mode off, then
 * {@link #updateSpectralNorm()}. Parameters: raw weights W (normalized on use to W / max(1, σ̂/c)), biases, and
 * LipSwish b with β = softplus(b). Not thread-safe.
 */
public final class TrainableFlow implements AutoCloseable {
    private static final int INITIAL_POWER_ITERATIONS = 50;
    private static final double LAST_LAYER_INIT_SCALE = 0.01;

    private final FlowSpec spec;
    private final NDManager manager;
    private final DataType dtype;
    private final Map<String, NDArray> parameters = new LinkedHashMap<>();
    private final Map<String, NDArray> spectralState = new LinkedHashMap<>();
    private GaussianMixture base;

    private TrainableFlow(FlowSpec spec, NDManager manager, DataType dtype) {
        this.spec = spec;
        this.manager = manager;
        this.dtype = dtype;
    }

    /**
     * Creates a flow with seeded random weights (last linear map of every MLP near zero, so blocks start near the
     * identity) and converged power-iteration state.
     *
     * @param spec architecture
     * @param seed random seed
     * @param device where parameters live (CPU or GPU)
     * @param dtype FLOAT32 or FLOAT64 for the parameters and the objective (solves always run in float64)
     * @return the flow
     */
    public static TrainableFlow create(FlowSpec spec, long seed, Device device, DataType dtype) {
        if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT64) {
            throw new IllegalArgumentException("training dtype must be FLOAT32 or FLOAT64, got " + dtype);
        }
        TrainableFlow flow = new TrainableFlow(spec, Engine.getInstance().newBaseManager(device), dtype);
        Random random = new Random(seed);
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            for (int k = 0; k < spec.blocks(); k++) {
                for (String mlp : spec.mlpNames()) {
                    flow.initialize(k, mlp, random);
                }
            }
            for (int i = 0; i < INITIAL_POWER_ITERATIONS; i++) {
                flow.updateSpectralNorm();
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
        return flow;
    }

    private void initialize(int block, String mlp, Random random) {
        for (int l = 0; l <= spec.layers(); l++) {
            int in = spec.inputWidth(l);
            int out = spec.outputWidth(l);
            double bound = 1 / Math.sqrt(in) * (l == spec.layers() ? LAST_LAYER_INIT_SCALE : 1.0);
            double[] w = new double[out * in];
            for (int i = 0; i < w.length; i++) {
                w[i] = bound * (2 * random.nextDouble() - 1);
            }
            double[] b = new double[out];
            if (l < spec.layers()) {
                for (int i = 0; i < out; i++) {
                    b[i] = (2 * random.nextDouble() - 1) / Math.sqrt(in);
                }
            }
            addParameter(TensorNames.weight(block, mlp, l), w, new Shape(out, in));
            addParameter(TensorNames.bias(block, mlp, l), b, new Shape(out));
            if (l < spec.layers() && spec.activation() == ActivationKind.LIPSWISH) {
                addParameter(TensorNames.betaParameter(block, mlp, l), new double[] {Math.log(Math.E - 1)},
                        new Shape(1));
            }
            double[] u = new double[out];
            double[] v = new double[in];
            for (int i = 0; i < out; i++) {
                u[i] = random.nextGaussian();
            }
            for (int i = 0; i < in; i++) {
                v[i] = random.nextGaussian();
            }
            spectralState.put(TensorNames.spectralU(block, mlp, l), hostToDevice(unit(u), new Shape(out)));
            spectralState.put(TensorNames.spectralV(block, mlp, l), hostToDevice(unit(v), new Shape(in)));
        }
    }

    private static double[] unit(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v * v;
        }
        double norm = Math.sqrt(s);
        for (int i = 0; i < x.length; i++) {
            x[i] /= norm;
        }
        return x;
    }

    private void addParameter(String name, double[] data, Shape shape) {
        NDArray p = hostToDevice(data, shape);
        p.setRequiresGradient(true);
        parameters.put(name, p);
    }

    private NDArray hostToDevice(double[] data, Shape shape) {
        NDArray a = manager.create(data, shape);
        if (dtype == DataType.FLOAT64) {
            return a;
        }
        NDArray converted = a.toType(dtype, false);
        a.close();
        return converted;
    }

    /** The architecture. */
    public FlowSpec spec() {
        return spec;
    }

    /** Sets the (fixed, not trained) base density; null or the standard normal for a plain flow. */
    public void setBase(GaussianMixture newBase) {
        if (newBase != null && newBase.dimension() != spec.dimension()) {
            throw new IllegalArgumentException("base density has dimension " + newBase.dimension() + ", the flow "
                    + spec.dimension());
        }
        this.base = newBase == null || newBase.isStandardNormal() ? null : newBase;
    }

    /** The base density. */
    public GaussianMixture base() {
        return base == null ? GaussianMixture.standardNormal(spec.dimension()) : base;
    }

    /** The parameters' device. */
    public Device device() {
        return manager.getDevice();
    }

    /** The parameters' dtype. */
    public DataType dataType() {
        return dtype;
    }

    /**
     * The training surrogate: per-row log-likelihood of standardized rows, exact in value, with exact gradients with
     * respect to {@link #parameters()} and {@code xStandardized}. Call inside a {@code GradientCollector}; the
     * result and its graph live on {@code xStandardized}'s manager.
     *
     * @param xStandardized (n, d) standardized rows of the flow's dtype on the flow's device
     * @return (n) log-likelihoods in standardized space
     */
    public NDArray logLikelihood(NDArray xStandardized) {
        NDManager batch = xStandardized.getManager();
        Map<String, NDArray> effective = effectiveTensors(batch, false);
        Map<String, NDArray> constant64 = withoutGraph(() -> effectiveTensors(batch, true));
        NDArray x = xStandardized;
        NDArray logDetSum = null;
        for (int k = 0; k < spec.blocks(); k++) {
            NDArray[] zAndLogDet = spec.architecture() == Architecture.IMPFLOW
                    ? implicitBlock(k, x, effective, constant64)
                    : residualBlock(k, x, effective);
            x = zAndLogDet[0];
            logDetSum = logDetSum == null ? zAndLogDet[1] : logDetSum.add(zAndLogDet[1]);
        }
        if (this.base != null) {
            return this.base.logDensity(x).add(logDetSum);
        }
        double halfLogTwoPi = 0.5 * Math.log(2 * Math.PI);
        NDArray base = x.square().sum(new int[] {1}).mul(constant(x, -0.5)).sub(spec.dimension() * halfLogTwoPi);
        return base.add(logDetSum);
    }

    /** Steps 1–5 of ARCHITECTURE §3 for ImpFlow block k; returns {z, ℓ(M_x) − ℓ(M_z)}. */
    private NDArray[] implicitBlock(int k, NDArray x, Map<String, NDArray> effective, Map<String, NDArray> constant64) {
        LipschitzMlp gx = Flow.mlp(spec, k, "gx", effective);
        LipschitzMlp gz = Flow.mlp(spec, k, "gz", effective);
        // 1. z* and A = (I + J_gz(z*))⁻¹ without a graph, in float64.
        NDArray[] zStarAndA = withoutGraph(() -> {
            LipschitzMlp gx64 = Flow.mlp(spec, k, "gx", constant64);
            LipschitzMlp gz64 = Flow.mlp(spec, k, "gz", constant64);
            NDArray x64 = x.stopGradient().toType(DataType.FLOAT64, true);
            SolverResult solved = new NewtonSolver(SolverSettings.DEFAULT).solve(gz64, x64.add(gx64.apply(x64)), x64);
            NDArray zStar = solved.solution();
            NDArray inverseTransposed = gz64.transposedJacobian(gz64.evaluate(zStar))
                    .add(identity(zStar)).inverse();
            return new NDArray[] {zStar.toType(dtype, true), inverseTransposed.toType(dtype, true)};
        });
        NDArray zStar = zStarAndA[0];
        // 2. F = x + g_x(x) − z* − g_z(z*), graph in θ and x.
        LipschitzMlp.Evaluation gxAtX = gx.evaluate(x);
        NDArray f = x.add(gxAtX.output()).sub(zStar).sub(gz.apply(zStar));
        // 3. z = z* + A·F: value z*, derivatives those of the implicit function theorem.
        NDArray z = f.expandDims(1).matMul(zStarAndA[1]).squeeze(1).add(zStar);
        // 4–5. log-det surrogates of M_x = I + J_gx(x) and M_z = I + J_gz(z) (transposes: same determinant).
        NDArray mx = gx.transposedJacobian(gxAtX).add(identity(x));
        NDArray mz = gz.transposedJacobian(gz.evaluate(z)).add(identity(z));
        return new NDArray[] {z, LogDetSurrogate.of(mx).sub(LogDetSurrogate.of(mz))};
    }

    /** ResFlow block k: z = x + g(x) and ℓ(I + J_g(x)). */
    private NDArray[] residualBlock(int k, NDArray x, Map<String, NDArray> effective) {
        LipschitzMlp g = Flow.mlp(spec, k, "g", effective);
        LipschitzMlp.Evaluation e = g.evaluate(x);
        NDArray m = g.transposedJacobian(e).add(identity(x));
        return new NDArray[] {x.add(e.output()), LogDetSurrogate.of(m)};
    }

    private static NDArray identity(NDArray rows) {
        int d = Math.toIntExact(rows.getShape().get(1));
        return rows.getManager().eye(d, d, 0, rows.getDataType()).toDevice(rows.getDevice(), false);
    }

    /**
     * Effective tensors W̃ = W / max(1, σ̂/c), biases, β = softplus(b), attached to {@code target}.
     *
     * @param target manager that owns the results
     * @param constantFloat64 detached float64 copies instead of graph tensors
     */
    private Map<String, NDArray> effectiveTensors(NDManager target, boolean constantFloat64) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        try (NDScope scope = new NDScope()) {
            for (int k = 0; k < spec.blocks(); k++) {
                for (String mlp : spec.mlpNames()) {
                    for (int l = 0; l <= spec.layers(); l++) {
                        String w = TensorNames.weight(k, mlp, l);
                        out.put(w, SpectralNorm.normalize(parameters.get(w),
                                spectralState.get(TensorNames.spectralU(k, mlp, l)),
                                spectralState.get(TensorNames.spectralV(k, mlp, l)), spec.lipschitz()));
                        String b = TensorNames.bias(k, mlp, l);
                        NDArray bias = parameters.get(b);
                        out.put(b, bias.mul(constant(bias, 1.0)));
                        if (l < spec.layers() && spec.activation() == ActivationKind.LIPSWISH) {
                            NDArray raw = parameters.get(TensorNames.betaParameter(k, mlp, l));
                            out.put(TensorNames.beta(k, mlp, l), softplus(raw));
                        }
                    }
                }
            }
            for (Map.Entry<String, NDArray> e : out.entrySet()) {
                NDArray t = constantFloat64 ? e.getValue().stopGradient().toType(DataType.FLOAT64, true)
                        : e.getValue();
                t.attach(target);
                NDScope.unregister(t);
                e.setValue(t);
            }
        }
        return out;
    }

    /** softplus(b) = max(b, 0) + log(1 + exp(−|b|)), stable for any b. */
    private static NDArray softplus(NDArray b) {
        return b.maximum(constant(b, 0.0)).add(b.abs().neg().exp().add(1).log());
    }

    /**
     * A scalar constant as a torch-owned tensor of {@code like}'s dtype and device, for operands that autograd saves
     * for the backward pass (mul, div, maximum). A Java Number operand must not be used there: DJL makes it a CPU
     * tensor that borrows a Java direct buffer and closes it right after the op, so a garbage collection before
     * {@code backward} frees memory the saved operand still points to, and the gradient reads whatever was written
     * there since (non-finite or silently wrong gradients).
     */
    private static NDArray constant(NDArray like, double value) {
        return like.getManager().ones(new Shape(), like.getDataType(), like.getDevice()).mul(value);
    }

    /**
     * Float64 host copy of the effective tensors the flow computes with (W̃ = W / max(1, σ̂/c), biases, β), named
     * per {@link TensorNames}; this is what an artifact stores after its exact Lipschitz check.
     */
    public FlowWeights effectiveWeights() {
        return withoutGraph(() -> {
            try (NDManager call = manager.newSubManager()) {
                Map<String, long[]> shapes = new LinkedHashMap<>();
                Map<String, double[]> values = new LinkedHashMap<>();
                for (Map.Entry<String, NDArray> e : effectiveTensors(call, true).entrySet()) {
                    shapes.put(e.getKey(), e.getValue().getShape().getShape());
                    values.put(e.getKey(), e.getValue().toDevice(Device.cpu(), false).toDoubleArray());
                }
                return new FlowWeights(shapes, values);
            }
        });
    }

    /** Trainable parameters by name (requiresGradient); update them in place with grad mode off. */
    public Map<String, NDArray> parameters() {
        return Collections.unmodifiableMap(parameters);
    }

    /** One power-iteration step for every weight's spectral-norm state; call after each optimizer step. */
    public void updateSpectralNorm() {
        withoutGraph(() -> {
            for (int k = 0; k < spec.blocks(); k++) {
                for (String mlp : spec.mlpNames()) {
                    for (int l = 0; l <= spec.layers(); l++) {
                        String uName = TensorNames.spectralU(k, mlp, l);
                        String vName = TensorNames.spectralV(k, mlp, l);
                        NDArray[] uv = SpectralNorm.powerIteration(parameters.get(TensorNames.weight(k, mlp, l)),
                                spectralState.get(uName));
                        spectralState.put(uName, uv[0]).close();
                        spectralState.put(vName, uv[1]).close();
                    }
                }
            }
            return null;
        });
    }

    /** Exact float64 log-likelihood of standardized rows, without a graph (for validation). */
    public double[] exactLogLikelihood(double[][] xStandardized) {
        return exactLogLikelihood(xStandardized, SolverSettings.DEFAULT);
    }

    /** Exact float64 log-likelihood with explicit solver settings; NaN for rows whose solve did not converge. */
    public double[] exactLogLikelihood(double[][] xStandardized, SolverSettings settings) {
        return withoutGraph(() -> {
            try (NDManager call = manager.newSubManager()) {
                Flow flow = Flow.create(spec, effectiveTensors(call, true)).withBase(base);
                NDArray x = call.create(xStandardized);
                FlowLikelihood result = flow.logLikelihood(x, settings);
                double[] ll = result.logLikelihood();
                for (int i = 0; i < ll.length; i++) {
                    if (!result.converged()[i]) {
                        ll[i] = Double.NaN;
                    }
                }
                return ll;
            }
        });
    }

    /** Float64 host copy of all parameters and spectral-norm state. */
    public FlowWeights snapshot() {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Map<String, double[]> values = new LinkedHashMap<>();
        Map<String, NDArray> all = new LinkedHashMap<>(parameters);
        all.putAll(spectralState);
        for (Map.Entry<String, NDArray> e : all.entrySet()) {
            shapes.put(e.getKey(), e.getValue().getShape().getShape());
            try (NDArray host = e.getValue().stopGradient().toType(DataType.FLOAT64, true)
                    .toDevice(Device.cpu(), false)) {
                values.put(e.getKey(), host.toDoubleArray());
            }
        }
        return new FlowWeights(shapes, values);
    }

    /** Overwrites parameters and spectral-norm state in place from a snapshot of the same structure. */
    public void restore(FlowWeights weights) {
        Map<String, NDArray> all = new LinkedHashMap<>(parameters);
        all.putAll(spectralState);
        if (!weights.names().equals(all.keySet())) {
            throw new IllegalArgumentException("snapshot does not match this flow's tensors: expected "
                    + all.keySet() + ", got " + weights.names());
        }
        withoutGraph(() -> {
            for (Map.Entry<String, NDArray> e : all.entrySet()) {
                double[] data = weights.get(e.getKey());
                if (dtype == DataType.FLOAT64) {
                    e.getValue().set(data);
                } else {
                    float[] f = new float[data.length];
                    for (int i = 0; i < f.length; i++) {
                        f[i] = (float) data[i];
                    }
                    e.getValue().set(f);
                }
            }
            return null;
        });
    }

    /** Runs an action with torch grad mode off on this thread, restoring the previous mode. */
    private static <T> T withoutGraph(java.util.function.Supplier<T> action) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            return action.get();
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /** Frees the parameters' native memory. */
    @Override
    public void close() {
        manager.close();
    }
}
