package io.impflow.model.solver;

import ai.djl.ndarray.NDArray;

/**
 * The per-row outcome of solving u + g(u) = y.
 *
 * @param solution (n, d) solution rows, in input order
 * @param residual per-row final ‖u + g(u) − y‖₂ / max(1, ‖y‖₂)
 * @param iterations per-row Newton iterations taken
 * @param converged per-row whether the residual reached the tolerance
 */
public record SolverResult(NDArray solution, double[] residual, int[] iterations, boolean[] converged) {
}
