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
    Stopwatch fit = Stopwatch.start();
    GaussianDensity density;
    try {
      density = GaussianDensity.fit(split.train().rows());
    } catch (IllegalArgumentException e) {
      throw new MethodFailedException(name() + " on " + split.train().origin() + ": " + e.getMessage(), e);
    }
    Stopwatch.Elapsed fitTime = fit.elapsed();
    double[][] test = split.test().rows();
    double[] scores = new double[test.length];
    Stopwatch.Elapsed scoreTime = RepeatedTiming.perPass(() -> {
      for (int i = 0; i < test.length; i++) {
        scores[i] = -density.logDensity(test[i]);
      }
    });
    String note = density.ridge() > 0 ? "singular covariance: ridge " + density.ridge() : "";
    return new MethodRun(scores, 0, fitTime, scoreTime, split.train().size(), note);
  }
}
