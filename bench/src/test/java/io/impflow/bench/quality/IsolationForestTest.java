package io.impflow.bench.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.impflow.trainer.data.SplitProtocol;
import io.impflow.trainer.eval.RankingMetrics;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IsolationForestTest {

  @Test
  void averagePathLengthFollowsTheClosedForm() {
    assertThat(IsolationForest.averagePathLength(0)).isZero();
    assertThat(IsolationForest.averagePathLength(1)).isZero();
    assertThat(IsolationForest.averagePathLength(2)).isEqualTo(1.0);
    // 2 (ln 2 + γ) − 4/3 and 2 (ln 255 + γ) − 510/256, evaluated separately
    assertThat(IsolationForest.averagePathLength(3)).isCloseTo(1.207392357589623, within(1e-14));
    assertThat(IsolationForest.averagePathLength(256)).isCloseTo(10.244770920119917, within(1e-13));
  }

  @Test
  void averagePathLengthApproachesTheExactHarmonicFormula() {
    // with H(i) = ln i + γ + 1/(2i) + O(i⁻²), the estimate is below 2 H(n − 1) − 2 (n − 1)/n by about 1/(n − 1)
    for (int n : new int[] {10, 100, 256, 10_000}) {
      double harmonic = 0;
      for (int i = 1; i < n; i++) {
        harmonic += 1.0 / i;
      }
      double exact = 2 * harmonic - 2.0 * (n - 1) / n;
      assertThat(exact - IsolationForest.averagePathLength(n)).as("n = %d", n)
          .isBetween(0.9 / (n - 1), 1.0 / (n - 1));
    }
  }

  @Test
  void heightLimitIsTheCeilingOfTheBinaryLogarithm() {
    assertThat(new int[] {IsolationForest.heightLimit(1), IsolationForest.heightLimit(2),
        IsolationForest.heightLimit(3), IsolationForest.heightLimit(255), IsolationForest.heightLimit(256),
        IsolationForest.heightLimit(257)}).containsExactly(0, 1, 2, 8, 8, 9);
  }

  @Test
  void identicalRowsCannotBeSplitSoEveryRowScoresOneHalf() {
    double[][] rows = new double[300][];
    Arrays.fill(rows, new double[] {4, -2});
    IsolationForest forest = IsolationForest.fit(rows, 10, 256, 1L);
    // every tree is one leaf of 256 rows: E[h] = c(256), so s = 2^-1 anywhere
    for (double[] x : new double[][] {{4, -2}, {100, 100}}) {
      assertThat(forest.meanPathLength(x)).isCloseTo(IsolationForest.averagePathLength(256), within(1e-12));
      assertThat(forest.score(x)).isCloseTo(0.5, within(1e-12));
    }
  }

  @Test
  void twoRowsAreSplitOnceAtTheHeightLimitOfOne() {
    IsolationForest forest = IsolationForest.fit(new double[][] {{0, 5}, {1, 5}}, 7, 256, 3L);
    // ψ = 2: the root splits on the only varying attribute, both leaves hold one row; c(2) = 1
    for (double[] x : new double[][] {{-3, 0}, {0.5, 5}, {9, 9}}) {
      assertThat(forest.meanPathLength(x)).isEqualTo(1.0);
      assertThat(forest.score(x)).isEqualTo(0.5);
    }
  }

  @Test
  void aFarOutlierScoresAboveEveryInlier() {
    Random random = new Random(5);
    double[][] train = new double[1000][];
    for (int i = 0; i < train.length; i++) {
      train[i] = new double[] {random.nextGaussian(), random.nextGaussian()};
    }
    IsolationForest forest = IsolationForest.fit(train, 100, 256, 9L);
    double maxInlier = 0;
    for (int i = 0; i < 200; i++) {
      double score = forest.score(new double[] {random.nextGaussian(), random.nextGaussian()});
      assertThat(score).isGreaterThan(0).isLessThanOrEqualTo(1);
      maxInlier = Math.max(maxInlier, score);
    }
    assertThat(forest.score(new double[] {8, -8})).isGreaterThan(maxInlier).isGreaterThan(0.6);
  }

  @Test
  void separatesFarOutliersAlmostPerfectly() throws Exception {
    SplitProtocol.Split split = PeerSplits.clusterAndFarOutliers(21);
    MethodRun run = new IsolationForestMethod().run(split, 4L);
    assertThat(RankingMetrics.auroc(run.testScores(), split.test().labels())).isGreaterThan(0.99);
    assertThat(run.trainRows()).isEqualTo(400);
  }

  @Test
  void theSeedDeterminesTheScores() throws Exception {
    SplitProtocol.Split split = PeerSplits.clusterAndFarOutliers(22);
    IsolationForestMethod method = new IsolationForestMethod();
    double[] first = method.run(split, 6L).testScores();
    assertThat(method.run(split, 6L).testScores()).isEqualTo(first);
    assertThat(method.run(split, 7L).testScores()).isNotEqualTo(first);
  }

  @Test
  void scalingAFeatureByAPowerOfTwoChangesNoScore() {
    Random random = new Random(8);
    double[][] rows = new double[500][];
    double[][] scaled = new double[500][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = new double[] {random.nextGaussian(), random.nextDouble()};
      scaled[i] = new double[] {1024 * rows[i][0], rows[i][1]};
    }
    IsolationForest forest = IsolationForest.fit(rows, 20, 64, 2L);
    IsolationForest scaledForest = IsolationForest.fit(scaled, 20, 64, 2L);
    for (int i = 0; i < 50; i++) {
      double[] x = {3 * random.nextGaussian(), random.nextDouble()};
      assertThat(scaledForest.score(new double[] {1024 * x[0], x[1]})).isEqualTo(forest.score(x));
    }
  }

  @Test
  void rejectsAnEmptyTrainingPart() {
    assertThatThrownBy(() -> IsolationForest.fit(new double[0][], 100, 256, 1L))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 rows");
  }
}
