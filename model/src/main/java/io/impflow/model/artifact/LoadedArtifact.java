package io.impflow.model.artifact;

import io.impflow.model.train.FlowWeights;

/**
 * A verified artifact: its manifest and its effective (already normalized) float64 weights.
 *
 * @param manifest the parsed manifest
 * @param weights effective weights: {@code blockK.MLP.linearL.weight/bias} and {@code blockK.MLP.actL.beta}
 */
public record LoadedArtifact(Manifest manifest, FlowWeights weights) {
}
