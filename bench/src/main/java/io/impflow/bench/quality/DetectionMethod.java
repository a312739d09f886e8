package io.impflow.bench.quality;

import io.impflow.trainer.data.SplitProtocol;

/** One anomaly detector under test: fits on a split's training part and scores its test part. */
public interface DetectionMethod {

  /** The name shown in the tables, e.g. {@code ImpFlow} or {@code RCF (streaming)}. */
  String name();

  /** Number of fitted parameters, or -1 when the method has none in the usual sense (a forest's sample). */
  long parameterCount(int dimension);

  /**
   * Fits on {@code split.train()} and scores every row of {@code split.test()} (higher = more anomalous).
   *
   * @param split the train/test split, identical for every method of a suite run
   * @param seed the run's seed (methods derive their own randomness from it)
   * @return the test scores in test-row order, with timings
   * @throws MethodFailedException when the method cannot produce scores for this split
   */
  MethodRun run(SplitProtocol.Split split, long seed) throws MethodFailedException;
}
