package io.impflow.model.flow;

import ai.djl.ndarray.NDArray;

/**
 * Exact log-likelihoods of a batch of standardized rows with the latent rows and solver diagnostics.
 *
 * @param latent z = f(x), (n, d)
 * @param logLikelihood per-row log p(x) in standardized space
 * @param residual per-row largest relative solver residual over blocks
 * @param iterations per-row Newton iterations summed over blocks
 * @param converged per-row whether every block's solve converged
 */
public record FlowLikelihood(NDArray latent, double[] logLikelihood, double[] residual, int[] iterations,
                             boolean[] converged) {
}
