package io.impflow.bench.quality;

import io.impflow.trainer.data.SplitProtocol;

/**
 * One cell of the suite: a dataset, a protocol and a seed, with the split every method receives.
 *
 * @param dataset dataset name, e.g. {@code shuttle}
 * @param protocol clean or contaminated
 * @param seed split and method seed
 * @param split the train/test split
 */
public record BenchmarkCase(String dataset, SplitProtocol protocol, long seed, SplitProtocol.Split split) {}
