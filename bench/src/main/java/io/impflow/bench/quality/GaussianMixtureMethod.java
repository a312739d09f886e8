package io.impflow.bench.quality;

import io.impflow.model.flow.GaussianMixture;
import io.impflow.trainer.data.SplitProtocol;
import io.impflow.trainer.fit.GaussianMixtureEm;

/**
 * The Gaussian mixture peer: {@value #COMPONENTS} full-covariance components fitted by the trainer's
 * {@link GaussianMixtureEm}, configured as scikit-learn's {@code GaussianMixture} defaults ({@link #settings}), on
 * features scaled by {@link PeerStandardization}; score = −log p(x).
 */
public final class GaussianMixtureMethod implements DetectionMethod {

  /** Mixture components (the suite's setting). */
  public static final int COMPONENTS = 5;
  /** Added to each component covariance's diagonal (scikit-learn's {@code reg_covar}). */
  static final double REG_COVAR = 1e-6;
  /** Change of the mean log-likelihood per row that ends EM (scikit-learn's {@code tol}). */
  static final double TOLERANCE = 1e-3;
  /** EM iterations at most (scikit-learn's {@code max_iter}). */
  static final int MAX_ITERATIONS = 100;
  /** Lloyd iterations at most of the k-means start (scikit-learn's {@code KMeans} {@code max_iter}). */
  static final int K_MEANS_ITERATIONS = 300;

  /**
   * scikit-learn's defaults for {@code k} components: responsibilities from one seeded k-means run (greedy k-means++
   * seeding with 2 + ⌊ln k⌋ draws per centre, then Lloyd iterations), {@link #REG_COVAR}, the absolute
   * {@link #TOLERANCE} followed by one last M-step, {@link #MAX_ITERATIONS}, no trimming.
   */
  static GaussianMixtureEm.Settings settings(int k, long seed) {
    return new GaussianMixtureEm.Settings(k, REG_COVAR, 2 + (int) Math.log(k), K_MEANS_ITERATIONS, MAX_ITERATIONS,
        TOLERANCE, GaussianMixtureEm.Stop.ABSOLUTE_CHANGE_THEN_M_STEP, 0, seed);
  }

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
      GaussianMixtureEm.Fit fit = GaussianMixtureEm.fit(scaled.train(), settings(COMPONENTS, seed));
      GaussianMixture mixture = fit.mixture();
      String note = fit.converged() ? "" : "EM stopped at " + MAX_ITERATIONS + " iterations";
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
