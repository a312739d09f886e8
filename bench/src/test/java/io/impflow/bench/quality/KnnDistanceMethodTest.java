package io.impflow.bench.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.impflow.trainer.data.SplitProtocol;
import io.impflow.trainer.eval.RankingMetrics;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KnnDistanceMethodTest {

  @Test
  void scoresAreTheMeanDistanceToTheFiveNearestStandardizedTrainingRows() throws Exception {
    Random random = new Random(12);
    double[][] train = new double[40][];
    for (int i = 0; i < train.length; i++) {
      // feature 2 is constant: it keeps scale 1
      train[i] = new double[] {100 * random.nextGaussian(), random.nextDouble(), 7};
    }
    double[][] test = new double[15][];
    for (int i = 0; i < test.length; i++) {
      test[i] = new double[] {150 * random.nextGaussian(), 2 * random.nextDouble(), 7 + random.nextGaussian()};
    }
    MethodRun run = new KnnDistanceMethod().run(PeerSplits.of(train, test, new int[test.length]), 1L);

    double[] mean = new double[3];
    double[] sd = new double[3];
    for (int j = 0; j < 3; j++) {
      for (double[] row : train) {
        mean[j] += row[j] / train.length;
      }
      for (double[] row : train) {
        sd[j] += (row[j] - mean[j]) * (row[j] - mean[j]) / (train.length - 1);
      }
      sd[j] = j == 2 ? 1 : Math.sqrt(sd[j]);
    }
    for (int i = 0; i < test.length; i++) {
      double[] distances = new double[train.length];
      for (int r = 0; r < train.length; r++) {
        double s = 0;
        for (int j = 0; j < 3; j++) {
          double t = (test[i][j] - mean[j]) / sd[j] - (train[r][j] - mean[j]) / sd[j];
          s += t * t;
        }
        distances[r] = Math.sqrt(s);
      }
      Arrays.sort(distances);
      double expected = Arrays.stream(distances, 0, 5).average().orElseThrow();
      assertThat(run.testScores()[i]).as("test row %d", i).isCloseTo(expected, within(1e-12));
    }
    assertThat(run.trainRows()).isEqualTo(40);
  }

  @Test
  void ranksFarOutliersFirstOnUnevenlyScaledFeatures() throws Exception {
    SplitProtocol.Split split = PeerSplits.clusterAndFarOutliers(41);
    KnnDistanceMethod method = new KnnDistanceMethod();
    assertThat(method.name()).isEqualTo("k-NN (k=5)");
    double[] scores = method.run(split, 1L).testScores();
    assertThat(RankingMetrics.auroc(scores, split.test().labels())).isGreaterThan(0.99);
  }

  @Test
  void aTrainingPartSmallerThanKUsesEveryRow() throws Exception {
    double[][] train = {{0, 0}, {1, 0}, {0, 2}};
    MethodRun run = new KnnDistanceMethod().run(PeerSplits.of(train, new double[][] {{5, 5}}, new int[1]), 1L);
    assertThat(run.note()).isEqualTo("k = 3");
    assertThat(run.testScores()[0]).isFinite().isPositive();
  }
}
