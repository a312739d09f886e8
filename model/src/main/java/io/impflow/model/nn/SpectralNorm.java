package io.impflow.model.nn;

import ai.djl.ndarray.NDArray;

/**
 * Spectral normalization W̃ = W / max(1, σ̂/c) with σ̂ = uᵀWv from power-iteration vectors u, v that are updated
 * (without a graph) after each optimizer step.
 */
public final class SpectralNorm {

    private SpectralNorm() {
    }

    /**
     * W̃ = W / max(1, σ̂/c), differentiable in W (u, v are constants).
     *
     * @param weight W of shape (out, in)
     * @param u unit vector of length out
     * @param v unit vector of length in
     * @param c Lipschitz coefficient in (0, 1)
     * @return the normalized weight
     */
    public static NDArray normalize(NDArray weight, NDArray u, NDArray v, double c) {
        NDArray sigma = weight.matMul(v).dot(u);
        // 1 and c as torch-owned tensors: a Number operand is a tensor borrowing a Java buffer that DJL frees right
        // after the op, and div and maximum save their operands for the backward pass.
        NDArray one = sigma.stopGradient().onesLike();
        return weight.div(sigma.div(one.mul(c)).maximum(one));
    }

    /**
     * One power-iteration step: v ← Wᵀu/‖Wᵀu‖, u ← Wv/‖Wv‖.
     *
     * @param weight W (out, in), used without its gradient
     * @param u current left vector
     * @return {u', v'} on u's manager
     */
    public static NDArray[] powerIteration(NDArray weight, NDArray u) {
        NDArray w = weight.stopGradient();
        NDArray v = u.matMul(w);
        v = v.div(v.norm().add(1e-300));
        NDArray nu = w.matMul(v);
        nu = nu.div(nu.norm().add(1e-300));
        return new NDArray[] {nu, v};
    }
}
