package io.impflow.trainer.fit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.impflow.model.flow.GaussianMixture;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** EM for Gaussian mixtures, configured as scikit-learn's defaults (the quality suite's mixture peer) unless named. */
class GaussianMixtureEmTest {

  /** scikit-learn's {@code GaussianMixture} defaults, as the quality suite's peer sets them. */
  private static GaussianMixtureEm.Settings scikitLearn(int k, long seed) {
    return new GaussianMixtureEm.Settings(k, 1e-6, 2 + (int) Math.log(k), 300, 100, 1e-3,
        GaussianMixtureEm.Stop.ABSOLUTE_CHANGE_THEN_M_STEP, 0, seed);
  }

  private static final double[][] CENTRES = {{0, 0}, {8, 0}, {0, 10}};
  private static final double[] WEIGHTS = {0.5, 0.3, 0.2};

  /** 2,000 rows of three separated 2-d clusters with weights 0.5 / 0.3 / 0.2 and different covariances. */
  private static double[][] threeClusters(long seed) {
    Random random = new Random(seed);
    double[][] rows = new double[2000][];
    for (int i = 0; i < rows.length; i++) {
      int c = i < 1000 ? 0 : i < 1600 ? 1 : 2;
      double e1 = random.nextGaussian();
      double e2 = random.nextGaussian();
      rows[i] = new double[] {CENTRES[c][0] + (c + 1) * e1, CENTRES[c][1] + 0.5 * e1 + 0.7 * e2};
    }
    return rows;
  }

  @Test
  void recoversTheWeightsMeansAndCovariancesOfSeparatedClusters() {
    GaussianMixtureEm.Fit fit = GaussianMixtureEm.fit(threeClusters(1), scikitLearn(3, 7));
    GaussianMixture m = fit.mixture();
    Integer[] order = IntStream.range(0, 3).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingDouble(c -> m.means()[c][0] + 2 * m.means()[c][1]));
    for (int c = 0; c < 3; c++) {
      int k = order[c];
      assertThat(m.weights()[k]).isCloseTo(WEIGHTS[c], within(0.01));
      assertThat(m.means()[k][0]).isCloseTo(CENTRES[c][0], within(0.25));
      assertThat(m.means()[k][1]).isCloseTo(CENTRES[c][1], within(0.1));
      double[][] l = m.choleskyFactors()[k];
      assertThat(l[0][0] * l[0][0]).isCloseTo((c + 1.0) * (c + 1.0), within(0.15 * (c + 1) * (c + 1)));
      assertThat(l[1][0] * l[1][0] + l[1][1] * l[1][1]).isCloseTo(0.74, within(0.1));
    }
    assertThat(fit.converged()).isTrue();
  }

  /** EM never lowers the likelihood: the trace of mean log-likelihoods is non-decreasing (up to rounding). */
  @Test
  void likelihoodIsNonDecreasingAndTheFitIsDeterministic() {
    double[][] rows = threeClusters(2);
    GaussianMixtureEm.Fit fit = GaussianMixtureEm.fit(rows, scikitLearn(5, 3));
    double[] trace = fit.meanLogLikelihoods();
    assertThat(trace.length).isGreaterThan(1);
    for (int i = 1; i < trace.length; i++) {
      assertThat(trace[i]).isGreaterThanOrEqualTo(trace[i - 1] - 1e-12 * Math.abs(trace[i - 1]));
    }
    double finalMean = Arrays.stream(fit.mixture().logDensity(rows)).average().orElseThrow();
    assertThat(finalMean).isGreaterThanOrEqualTo(trace[trace.length - 1] - 1e-12);
    assertThat(GaussianMixtureEm.fit(rows, scikitLearn(5, 3)).mixture()).isEqualTo(fit.mixture());
  }

  @Test
  void kMeansSeparatesTheClusters() {
    double[][] rows = threeClusters(3);
    double[][] seeds = GaussianMixtureEm.kMeansPlusPlus(rows, 3, 3, new SplittableRandom(5));
    int[] labels = GaussianMixtureEm.lloyd(rows, seeds, 300);
    for (int[] range : new int[][] {{0, 1000}, {1000, 1600}, {1600, 2000}}) {
      long wrong = IntStream.range(range[0], range[1]).filter(i -> labels[i] != labels[range[0]]).count();
      // k-means cuts at the midpoint of (0, 0) and (8, 0), 2 sd into the wider cluster: about 2 % of it lands wrong
      assertThat(wrong).isLessThan((range[1] - range[0]) / 25);
    }
    assertThat(labels[0]).isNotEqualTo(labels[1000]).isNotEqualTo(labels[1600]);
    assertThat(labels[1000]).isNotEqualTo(labels[1600]);
  }

  @Test
  void fewerRowsThanComponentsIsAClearError() {
    assertThatThrownBy(() -> GaussianMixtureEm.fit(new double[][] {{1, 2}, {3, 4}}, scikitLearn(5, 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 5 rows, got 2");
  }

  @Test
  void trimmingLeavesOutTheFloorOfTheShareOfLeastLikelyRows() {
    double[] ll = {3, 1, 2, 0, 5};
    assertThat(GaussianMixtureEm.kept(ll, 0.4)).containsExactly(true, false, true, false, true);
    assertThat(GaussianMixtureEm.kept(ll, 0.39)).containsExactly(true, true, true, false, true);
    assertThat(GaussianMixtureEm.kept(ll, 0)).containsOnly(true);
  }
}
