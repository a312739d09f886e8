package io.impflow.bench.quality;

import io.impflow.model.flow.GaussianMixture;
import io.impflow.trainer.data.SplitProtocol;

/**
 * The Gaussian mixture peer: {@value #COMPONENTS} full-covariance components fitted by {@link GaussianMixtureEm} on
 * features scaled by {@link PeerStandardization}; score = −log p(x).
 */
public final class GaussianMixtureMethod implements DetectionMethod {

  /** Mixture components (the suite's setting). */
  public static final int COMPONENTS = 5;

  @Override
  public String name() {
    return "GMM (" + COMPONENTS + " comp.)";
  }

  @Override
  public long parameterCount(int dimension) {
    return COMPONENTS * GaussianDensity.parameterCount(dimension) + COMPONENTS - 1;
  }

  @Override
  public MethodRun run(SplitProtocol.Split split, long seed) throws MethodFailedException {
    return FitThenScore.run(name(), split, s -> {
      PeerStandardization.ScaledSplit scaled = PeerStandardization.ScaledSplit.of(s);
      GaussianMixtureEm.Fit fit = GaussianMixtureEm.fit(scaled.train(), COMPONENTS, seed);
      GaussianMixture mixture = fit.mixture();
      String note = fit.converged() ? "" : "EM stopped at " + GaussianMixtureEm.MAX_ITERATIONS + " iterations";
      return new FitThenScore.Fitted(() -> {
        double[] scores = mixture.logDensity(scaled.test());
        for (int i = 0; i < scores.length; i++) {
          scores[i] = -scores[i];
        }
        return scores;
      }, note);
    });
  }
}
