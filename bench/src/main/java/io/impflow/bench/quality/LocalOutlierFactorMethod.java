package io.impflow.bench.quality;

import io.impflow.trainer.data.SplitProtocol;

/**
 * The Local Outlier Factor peer in novelty mode ({@link LocalOutlierFactor}, k = {@value #K}): fitting finds the
 * training rows' neighbourhoods among themselves and their densities, scoring rates each test row against them.
 * Features are scaled by {@link PeerStandardization}; neighbour search is exact brute force in float64.
 */
public final class LocalOutlierFactorMethod implements DetectionMethod {

  /** Neighbourhood size (the suite's setting, scikit-learn's default). */
  public static final int K = 20;

  @Override
  public String name() {
    return "LOF (k=" + K + ")";
  }

  @Override
  public long parameterCount(int dimension) {
    return -1;
  }

  @Override
  public MethodRun run(SplitProtocol.Split split, long seed) throws MethodFailedException {
    return FitThenScore.run(name(), split, s -> {
      PeerStandardization.ScaledSplit scaled = PeerStandardization.ScaledSplit.of(s);
      LocalOutlierFactor lof = LocalOutlierFactor.fit(scaled.train(), K);
      return new FitThenScore.Fitted(() -> lof.scores(scaled.test()), lof.k() < K ? "k = " + lof.k() : "");
    });
  }
}
