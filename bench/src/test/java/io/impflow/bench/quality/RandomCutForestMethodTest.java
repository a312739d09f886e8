package io.impflow.bench.quality;

import static org.assertj.core.api.Assertions.assertThat;

import io.impflow.trainer.data.Dataset;
import io.impflow.trainer.data.SplitProtocol;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RandomCutForestMethodTest {

  /** 400 inliers from a 3-d standard normal cluster and, last, one point 12 standard deviations away. */
  private static SplitProtocol.Split clusterWithOneOutlier() {
    Random random = new Random(3);
    double[][] train = new double[400][];
    for (int i = 0; i < train.length; i++) {
      train[i] = new double[] {random.nextGaussian(), random.nextGaussian(), random.nextGaussian()};
    }
    double[][] test = new double[61][];
    int[] labels = new int[61];
    for (int i = 0; i < 60; i++) {
      test[i] = new double[] {random.nextGaussian(), random.nextGaussian(), random.nextGaussian()};
    }
    test[60] = new double[] {12, -12, 12};
    labels[60] = 1;
    List<String> names = List.of("a", "b", "c");
    return new SplitProtocol.Split(new Dataset(names, train, new int[train.length], "train"),
        new Dataset(names, test, labels, "test"));
  }

  @Test
  void bothModesScoreAnObviousOutlierAboveEveryInlier() throws Exception {
    SplitProtocol.Split split = clusterWithOneOutlier();
    for (RandomCutForestMethod.Mode mode : RandomCutForestMethod.Mode.values()) {
      MethodRun run = new RandomCutForestMethod(mode).run(split, 11L);
      double[] scores = run.testScores();
      double maxInlier = Arrays.stream(scores, 0, 60).max().orElseThrow();
      assertThat(scores[60]).as(mode.name()).isGreaterThan(maxInlier);
      assertThat(run.trainRows()).isEqualTo(400);
    }
  }

  @Test
  void theSameSeedGivesTheSameScores() throws Exception {
    SplitProtocol.Split split = clusterWithOneOutlier();
    RandomCutForestMethod method = new RandomCutForestMethod(RandomCutForestMethod.Mode.BATCH);
    assertThat(method.run(split, 5L).testScores()).isEqualTo(method.run(split, 5L).testScores());
  }
}
