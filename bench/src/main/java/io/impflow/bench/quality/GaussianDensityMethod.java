package io.impflow.bench.quality;

import io.impflow.trainer.data.SplitProtocol;

/** The full-covariance Gaussian density peer: score = −log N(x) under the training rows' maximum-likelihood normal. */
public final class GaussianDensityMethod implements DetectionMethod {

  @Override
  public String name() {
    return "Gaussian (full cov.)";
  }

  @Override
  public long parameterCount(int dimension) {
    return GaussianDensity.parameterCount(dimension);
  }

  @Override
  public MethodRun run(SplitProtocol.Split split, long seed) throws MethodFailedException {
    return FitThenScore.run(name(), split, s -> {
      GaussianDensity density = GaussianDensity.fit(s.train().rows());
      double[][] test = s.test().rows();
      String note = density.ridge() > 0 ? "singular covariance: ridge " + density.ridge() : "";
      return new FitThenScore.Fitted(() -> {
        double[] scores = new double[test.length];
        for (int i = 0; i < test.length; i++) {
          scores[i] = -density.logDensity(test[i]);
        }
        return scores;
      }, note);
    });
  }
}
