package io.impflow.bench.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.impflow.model.flow.Standardization;
import io.impflow.model.robust.MinimumCovarianceDeterminant;
import io.impflow.trainer.data.SplitProtocol;
import io.impflow.trainer.eval.RankingMetrics;
import io.impflow.trainer.fit.GaussianMixtureEm;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The MCD and GMM peers: what they compute, and the data each is there for. */
class RobustAndMixturePeersTest {

  /**
   * Training rows: 400 correlated 3-d normals plus 80 (17 %) outliers from a cluster about 9 sd away, and a constant
   * fourth feature; test rows: 100 normals and 20 rows of that outlier cluster. (A cluster that is both tight and
   * near, 0.1 sd wide at 3 sd, breaks MCD too: its determinant beats the inliers'; scikit-learn's MinCovDet then
   * keeps all 80 in its support as well.)
   */
  private static SplitProtocol.Split contaminated(long seed) {
    Random random = new Random(seed);
    double[][] train = new double[480][];
    for (int i = 0; i < train.length; i++) {
      train[i] = row(random, i >= 400);
    }
    double[][] test = new double[120][];
    int[] labels = new int[test.length];
    for (int i = 0; i < test.length; i++) {
      labels[i] = i >= 100 ? 1 : 0;
      test[i] = row(random, labels[i] == 1);
    }
    return PeerSplits.of(train, test, labels);
  }

  private static double[] row(Random random, boolean outlier) {
    double a = random.nextGaussian();
    double b = random.nextGaussian();
    double c = random.nextGaussian();
    if (outlier) {
      return new double[] {8 + 0.5 * a, -8 + 0.5 * b, 0.5 * c, 7};
    }
    return new double[] {a + 0.9 * b, a - 0.9 * b, c, 7};
  }

  @Test
  void mcdScoresAreRobustDistancesOnStandardizedFeaturesWithoutTheConstantOne() throws Exception {
    SplitProtocol.Split split = contaminated(1);
    MethodRun run = new MinimumCovarianceDeterminantMethod().run(split, 4);
    Standardization scaling = PeerStandardization.fit(split.train().rows());
    double[][] train = drop(PeerStandardization.apply(split.train().rows(), scaling));
    double[][] test = drop(PeerStandardization.apply(split.test().rows(), scaling));
    double[] expected = MinimumCovarianceDeterminant.fit(train, 4).squaredDistancesOf(test);
    assertThat(run.testScores()).containsExactly(expected, within(1e-12));
    assertThat(run.note()).contains("1 constant feature(s) left out");

    double mcd = RankingMetrics.auroc(run.testScores(), split.test().labels());
    double gaussian = RankingMetrics.auroc(new GaussianDensityMethod().run(dropSplit(split), 4).testScores(),
        split.test().labels());
    assertThat(mcd).isGreaterThan(0.99);
    assertThat(gaussian).isLessThan(mcd - 0.1);
  }

  /** A normal class of two clusters with anomalies between them: one Gaussian covers the gap, the mixture not. */
  @Test
  void gmmScoresAreTheMixturesNegativeLogDensityAndSeeTheGapBetweenClusters() throws Exception {
    Random random = new Random(2);
    double[][] train = new double[600][];
    for (int i = 0; i < train.length; i++) {
      double side = i % 2 == 0 ? -5 : 5;
      train[i] = new double[] {side + random.nextGaussian(), random.nextGaussian()};
    }
    double[][] test = new double[120][];
    int[] labels = new int[test.length];
    for (int i = 0; i < test.length; i++) {
      labels[i] = i >= 100 ? 1 : 0;
      double x = labels[i] == 1 ? random.nextGaussian() : (i % 2 == 0 ? -5 : 5) + random.nextGaussian();
      test[i] = new double[] {x, random.nextGaussian()};
    }
    SplitProtocol.Split split = PeerSplits.of(train, test, labels);
    MethodRun run = new GaussianMixtureMethod().run(split, 9);
    Standardization scaling = PeerStandardization.fit(train);
    double[] expected = GaussianMixtureEm.fit(PeerStandardization.apply(train, scaling),
        GaussianMixtureMethod.settings(5, 9)).mixture()
        .logDensity(PeerStandardization.apply(test, scaling));
    for (int i = 0; i < test.length; i++) {
      assertThat(run.testScores()[i]).isCloseTo(-expected[i], within(1e-12));
    }
    double gmm = RankingMetrics.auroc(run.testScores(), labels);
    double gaussian = RankingMetrics.auroc(new GaussianDensityMethod().run(split, 9).testScores(), labels);
    assertThat(gmm).isGreaterThan(0.97);
    assertThat(gaussian).isLessThan(0.7);
  }

  private static SplitProtocol.Split dropSplit(SplitProtocol.Split split) {
    return PeerSplits.of(drop(split.train().rows()), drop(split.test().rows()), split.test().labels());
  }

  private static double[][] drop(double[][] rows) {
    double[][] out = new double[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      out[i] = new double[] {rows[i][0], rows[i][1], rows[i][2]};
    }
    return out;
  }
}
