package io.impflow.model.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.impflow.model.flow.FlowSpec;
import io.impflow.model.solver.SolverSettings;
import java.util.Map;

/**
 * A flow with trainable parameters on a device, exposing the one-pass implicit-gradient training objective
 * (ARCHITECTURE §3) whose value is the exact log-likelihood and whose gradient is exact.
 *
 * <p>Typical loop: open a {@code GradientCollector}, {@code loss = logLikelihood(x).mean().neg()},
 * {@code backward(loss)}, update {@link #parameters()} in place (Adam, clipping), then {@link #updateSpectralNorm()}.
 * Not thread-safe.
 */
public final class TrainableFlow implements AutoCloseable {

    private TrainableFlow() {
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
        throw new UnsupportedOperationException("issue 3: training objective is being implemented");
    }

    /** The architecture. */
    public FlowSpec spec() {
        throw new UnsupportedOperationException("issue 3: training objective is being implemented");
    }

    /**
     * The training surrogate: per-row log-likelihood of standardized rows, exact in value, with exact gradients with
     * respect to {@link #parameters()} and {@code xStandardized}. Call inside a {@code GradientCollector}; the
     * result lives on {@code xStandardized}'s manager.
     *
     * @param xStandardized (n, d) standardized rows of the flow's dtype on the flow's device
     * @return (n) log-likelihoods in standardized space
     */
    public NDArray logLikelihood(NDArray xStandardized) {
        throw new UnsupportedOperationException("issue 3: training objective is being implemented");
    }

    /** Trainable parameters by name (requiresGradient); update them in place. */
    public Map<String, NDArray> parameters() {
        throw new UnsupportedOperationException("issue 3: training objective is being implemented");
    }

    /** One power-iteration step for every weight's spectral-norm state; call after each optimizer step. */
    public void updateSpectralNorm() {
        throw new UnsupportedOperationException("issue 3: training objective is being implemented");
    }

    /** Exact float64 log-likelihood of standardized rows, without a graph (for validation). */
    public double[] exactLogLikelihood(double[][] xStandardized) {
        return exactLogLikelihood(xStandardized, SolverSettings.DEFAULT);
    }

    /** Exact float64 log-likelihood with explicit solver settings; NaN for rows whose solve did not converge. */
    public double[] exactLogLikelihood(double[][] xStandardized, SolverSettings settings) {
        throw new UnsupportedOperationException("issue 3: training objective is being implemented");
    }

    /** Float64 host copy of all parameters and spectral-norm state. */
    public FlowWeights snapshot() {
        throw new UnsupportedOperationException("issue 3: training objective is being implemented");
    }

    /** Overwrites parameters and spectral-norm state in place from a snapshot of the same structure. */
    public void restore(FlowWeights weights) {
        throw new UnsupportedOperationException("issue 3: training objective is being implemented");
    }

    /** Frees the parameters' native memory. */
    @Override
    public void close() {
        throw new UnsupportedOperationException("issue 3: training objective is being implemented");
    }
}
