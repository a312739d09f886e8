package io.impflow.bench.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.impflow.trainer.data.SplitProtocol;
import io.impflow.trainer.eval.RankingMetrics;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LocalOutlierFactorTest {

  /**
   * Training rows 0, 1, 3, 7 on a line, k = 2, worked by hand from the definitions. Neighbours and k-distances:
   * 0 → {1, 3}, 3; 1 → {0, 3}, 2; 3 → {1, 0}, 3; 7 → {3, 1}, 6. Mean reachability distances
   * (reach-dist(p, o) = max(k-distance(o), d(p, o))): 0: (2 + 3)/2; 1: (3 + 3)/2; 3: (2 + 3)/2; 7: (4 + 6)/2.
   */
  private static final double[][] LINE = {{0}, {1}, {3}, {7}};

  @Test
  void trainingDensitiesMatchTheDefinitionOnAHandWorkedExample() {
    LocalOutlierFactor lof = LocalOutlierFactor.fit(LINE, 2);
    double[] expected = {1 / 2.5, 1 / 3.0, 1 / 2.5, 1 / 5.0};
    for (int i = 0; i < LINE.length; i++) {
      assertThat(lof.trainingDensity(i)).as("row %d", i).isCloseTo(expected[i], within(1e-9));
    }
  }

  @Test
  void scoresMatchTheDefinitionOnAHandWorkedExample() {
    double[] scores = LocalOutlierFactor.fit(LINE, 2).scores(new double[][] {{2}, {12}});
    // 2: neighbours 1 and 3 (distance 1 each), reach-dists max(2, 1) and max(3, 1): lrd 1/2.5;
    //    neighbour densities 1/3 and 1/2.5, so LOF = (1/3 + 1/2.5) / 2 · 2.5
    assertThat(scores[0]).isCloseTo((1 / 3.0 + 1 / 2.5) / 2 * 2.5, within(1e-9));
    // 12: neighbours 7 (5) and 3 (9), reach-dists max(6, 5) and max(3, 9): lrd 1/7.5; LOF = (1/5 + 1/2.5) / 2 · 7.5
    assertThat(scores[1]).isCloseTo((1 / 5.0 + 1 / 2.5) / 2 * 7.5, within(1e-9));
  }

  @Test
  void isAboutOneInsideAUniformClusterAndLargeFarFromIt() {
    Random random = new Random(4);
    double[][] train = new double[3000][];
    for (int i = 0; i < train.length; i++) {
      train[i] = new double[] {random.nextDouble(), random.nextDouble()};
    }
    double[][] inside = new double[200][];
    for (int i = 0; i < inside.length; i++) {
      inside[i] = new double[] {0.2 + 0.6 * random.nextDouble(), 0.2 + 0.6 * random.nextDouble()};
    }
    LocalOutlierFactor lof = LocalOutlierFactor.fit(train, 20);
    double[] scores = lof.scores(inside);
    assertThat(Arrays.stream(scores).average().orElseThrow()).isCloseTo(1.0, within(0.05));
    assertThat(Arrays.stream(scores).min().orElseThrow()).isGreaterThan(0.75);
    assertThat(Arrays.stream(scores).max().orElseThrow()).isLessThan(1.4);
    assertThat(lof.scores(new double[][] {{3, 3}})[0]).isGreaterThan(20);
  }

  @Test
  void duplicatedRowsGiveAFiniteFactorOfOne() {
    double[][] train = new double[30][];
    Arrays.fill(train, new double[] {1, 2});
    double[] scores = LocalOutlierFactor.fit(train, 20).scores(new double[][] {{1, 2}});
    assertThat(scores[0]).isCloseTo(1.0, within(1e-12));
  }

  @Test
  void aTrainingPartOfAtMostKRowsUsesAllOtherRows() {
    assertThat(LocalOutlierFactor.fit(LINE, 20).k()).isEqualTo(3);
    assertThatThrownBy(() -> LocalOutlierFactor.fit(new double[][] {{1}}, 20))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 2 training rows");
  }

  @Test
  void theMethodRanksFarOutliersFirstOnUnevenlyScaledFeatures() throws Exception {
    SplitProtocol.Split split = PeerSplits.clusterAndFarOutliers(31);
    LocalOutlierFactorMethod method = new LocalOutlierFactorMethod();
    MethodRun run = method.run(split, 1L);
    assertThat(method.name()).isEqualTo("LOF (k=20)");
    assertThat(RankingMetrics.auroc(run.testScores(), split.test().labels())).isGreaterThan(0.99);
    assertThat(run.trainRows()).isEqualTo(400);
    assertThat(run.note()).isEmpty();
    assertThat(method.run(split, 2L).testScores()).isEqualTo(run.testScores());
  }
}
