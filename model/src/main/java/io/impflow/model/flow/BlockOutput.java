package io.impflow.model.flow;

import ai.djl.ndarray.NDArray;

/**
 * What a block returns for a batch: the mapped rows, log |det ∂out/∂in| per row, and the solver diagnostics.
 *
 * @param output (n, d) mapped rows
 * @param logDet per-row log-determinant of the block's Jacobian in the direction applied
 * @param residual per-row relative solver residual (0 for explicit maps)
 * @param iterations per-row Newton iterations (0 for explicit maps)
 * @param converged per-row whether the solve converged (true for explicit maps)
 */
public record BlockOutput(NDArray output, double[] logDet, double[] residual, int[] iterations, boolean[] converged) {
}
