package io.impflow.model.flow;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.impflow.model.train.FlowWeights;
import io.impflow.model.nn.BoundedActivation;
import io.impflow.model.nn.LipSwish;
import io.impflow.model.nn.LipschitzMlp;
import io.impflow.model.nn.SinActivation;
import io.impflow.model.solver.SolverSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A normalizing flow on transformed features: blocks x → z plus a base density (the standard normal, or a
 * {@link GaussianMixture}), log p(x) = log p_base(z) + Σ log det ∂z_k/∂x_k.
 */
public final class Flow {
    private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);
    private final FlowSpec spec;
    private final CompositeBlock blocks;
    private final GaussianMixture base;

    private Flow(FlowSpec spec, CompositeBlock blocks, GaussianMixture base) {
        this.spec = spec;
        this.blocks = blocks;
        this.base = base;
    }

    /** The same blocks over another base density (null: the standard normal). */
    public Flow withBase(GaussianMixture newBase) {
        return new Flow(spec, blocks, newBase == null || newBase.isStandardNormal() ? null : newBase);
    }

    /** The base density. */
    public GaussianMixture base() {
        return base == null ? GaussianMixture.standardNormal(spec.dimension()) : base;
    }

    /**
     * Builds a flow from effective tensors (normalized weights, biases, β) named per {@link TensorNames}, for
     * computing without a graph (its MLPs are {@link LipschitzMlp#forInference()}).
     *
     * @param spec the architecture
     * @param tensors effective tensors; their dtype and device determine where the flow computes
     * @return the flow
     */
    public static Flow create(FlowSpec spec, Map<String, NDArray> tensors) {
        List<Block> list = new ArrayList<>(spec.blocks());
        for (int k = 0; k < spec.blocks(); k++) {
            if (spec.architecture() == Architecture.IMPFLOW) {
                list.add(new ImpFlowBlock(mlp(spec, k, "gx", tensors).forInference(),
                        mlp(spec, k, "gz", tensors).forInference()));
            } else {
                list.add(new ResFlowBlock(mlp(spec, k, "g", tensors).forInference()));
            }
        }
        return new Flow(spec, new CompositeBlock(list), null);
    }

    /**
     * Builds a flow from host effective weights, creating float64 arrays on {@code manager}.
     *
     * @param spec the architecture
     * @param effective effective weights named per {@link TensorNames}
     * @param manager owner of the created arrays (and so of the flow's lifetime)
     * @return the flow
     */
    public static Flow create(FlowSpec spec, FlowWeights effective, NDManager manager) {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        for (String name : effective.names()) {
            tensors.put(name, manager.create(effective.get(name), new Shape(effective.shape(name))));
        }
        return create(spec, tensors);
    }

    /** The MLP named {@code mlp} of block k, built from effective tensors. */
    public static LipschitzMlp mlp(FlowSpec spec, int block, String mlp, Map<String, NDArray> tensors) {
        List<NDArray> weights = new ArrayList<>();
        List<NDArray> biases = new ArrayList<>();
        List<BoundedActivation> activations = new ArrayList<>();
        for (int l = 0; l <= spec.layers(); l++) {
            weights.add(require(tensors, TensorNames.weight(block, mlp, l)));
            biases.add(require(tensors, TensorNames.bias(block, mlp, l)));
            if (l < spec.layers()) {
                activations.add(spec.activation() == ActivationKind.LIPSWISH
                        ? new LipSwish(require(tensors, TensorNames.beta(block, mlp, l)))
                        : new SinActivation(weights.get(0)));
            }
        }
        return new LipschitzMlp(weights, biases, activations);
    }

    private static NDArray require(Map<String, NDArray> tensors, String name) {
        NDArray t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("missing tensor " + name + " for the flow");
        }
        return t;
    }

    /** The architecture. */
    public FlowSpec spec() {
        return spec;
    }

    /** The blocks as one composite block. */
    public CompositeBlock blocks() {
        return blocks;
    }

    /**
     * Exact log-likelihood of standardized rows.
     *
     * @param x (n, d) float64 standardized rows
     * @param settings solver stopping rules
     * @return z = f(x), per-row log p(x) and solver diagnostics
     */
    public FlowLikelihood logLikelihood(NDArray x, SolverSettings settings) {
        BlockOutput out = blocks.forward(x, settings);
        double[] base = this.base == null ? standardNormalLogDensity(out.output()) : baseLogDensity(out.output());
        double[] ll = new double[base.length];
        for (int i = 0; i < ll.length; i++) {
            ll[i] = base[i] + out.logDet()[i];
        }
        return new FlowLikelihood(out.output(), ll, out.residual(), out.iterations(), out.converged());
    }

    private double[] baseLogDensity(NDArray z) {
        int d = spec.dimension();
        double[] flat = z.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray();
        double[][] rows = new double[flat.length / d][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = java.util.Arrays.copyOfRange(flat, i * d, (i + 1) * d);
        }
        return base.logDensity(rows);
    }

    /** log N(z; 0, I) per row. */
    public static double[] standardNormalLogDensity(NDArray z) {
        int d = Math.toIntExact(z.getShape().get(1));
        double[] sq = z.square().sum(new int[] {1}).toDoubleArray();
        double[] out = new double[sq.length];
        for (int i = 0; i < sq.length; i++) {
            out[i] = -0.5 * sq[i] - d * HALF_LOG_TWO_PI;
        }
        return out;
    }
}
