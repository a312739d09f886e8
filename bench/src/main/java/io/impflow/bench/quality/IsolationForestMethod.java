package io.impflow.bench.quality;

import io.impflow.trainer.data.SplitProtocol;

/**
 * Isolation Forest ({@link IsolationForest}) as a peer, with the paper's settings: {@value #TREES} trees of
 * {@value #SAMPLE_SIZE} training rows each, seeded by the run's seed. It reads raw features: a split drawn uniformly
 * between an attribute's minimum and maximum isolates the same rows whatever that attribute's units, so
 * standardizing would change nothing.
 */
public final class IsolationForestMethod implements DetectionMethod {

  /** Trees in the forest (the suite's setting, Liu et al.'s and scikit-learn's default). */
  public static final int TREES = 100;
  /** Rows each tree is grown on, ψ (the suite's setting, Liu et al.'s and scikit-learn's default). */
  public static final int SAMPLE_SIZE = 256;

  @Override
  public String name() {
    return "Isolation Forest";
  }

  @Override
  public long parameterCount(int dimension) {
    return -1;
  }

  @Override
  public MethodRun run(SplitProtocol.Split split, long seed) throws MethodFailedException {
    return FitThenScore.run(name(), split, s -> {
      IsolationForest forest = IsolationForest.fit(s.train().rows(), TREES, SAMPLE_SIZE, seed);
      double[][] test = s.test().rows();
      return new FitThenScore.Fitted(() -> {
        double[] scores = new double[test.length];
        for (int i = 0; i < test.length; i++) {
          scores[i] = forest.score(test[i]);
        }
        return scores;
      }, "");
    });
  }
}
