package io.impflow.model.flow;

import ai.djl.ndarray.NDArray;
import io.impflow.model.solver.SolverSettings;

/** One invertible step of a flow: forward x → z and inverse z → x, each with a per-row log-determinant. */
public interface Block {

    /**
     * Maps x to z.
     *
     * @param x (n, d) float64 inputs
     * @param settings solver stopping rules for implicit steps
     * @return z, log det(∂z/∂x) per row and solver diagnostics
     */
    BlockOutput forward(NDArray x, SolverSettings settings);

    /**
     * Maps z back to x.
     *
     * @param z (n, d) float64 outputs
     * @param settings solver stopping rules for implicit steps
     * @return x, log det(∂x/∂z) per row and solver diagnostics
     */
    BlockOutput inverse(NDArray z, SolverSettings settings);
}
