package io.impflow.trainer.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class RankingMetricsTest {

  /** P(anomaly score > normal score) + P(tie) / 2 over all pairs. */
  private static double bruteForceAuroc(double[] scores, int[] labels) {
    double wins = 0;
    long pairs = 0;
    for (int i = 0; i < scores.length; i++) {
      for (int j = 0; j < scores.length; j++) {
        if (labels[i] == 1 && labels[j] == 0) {
          pairs++;
          wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
        }
      }
    }
    return wins / pairs;
  }

  /** Σ over distinct thresholds t (descending) of (recall(t) − recall(previous t)) · precision(t), score ≥ t flagged. */
  private static double bruteForceAveragePrecision(double[] scores, int[] labels) {
    long positives = Arrays.stream(labels).filter(l -> l == 1).count();
    double previousRecall = 0;
    double sum = 0;
    for (double t : new TreeSet<>(Arrays.stream(scores).boxed().toList()).descendingSet()) {
      int tp = 0;
      int flagged = 0;
      for (int i = 0; i < scores.length; i++) {
        if (scores[i] >= t) {
          flagged++;
          tp += labels[i];
        }
      }
      double recall = (double) tp / positives;
      sum += (recall - previousRecall) * tp / flagged;
      previousRecall = recall;
    }
    return sum;
  }

  @Test
  void handWorkedCaseWithTies() {
    double[] scores = {0.9, 0.5, 0.5, 0.1};
    int[] labels = {1, 1, 0, 0};
    // pairs (a, n): (0.9, 0.5)=1, (0.9, 0.1)=1, (0.5, 0.5)=0.5, (0.5, 0.1)=1 -> 3.5 / 4
    assertThat(RankingMetrics.auroc(scores, labels)).isEqualTo(0.875);
    // thresholds 0.9: R=.5 P=1; 0.5: R=1 P=2/3; 0.1: R=1 -> .5 + .5 * 2/3
    assertThat(RankingMetrics.auprc(scores, labels)).isCloseTo(0.5 + 1.0 / 3, within(1e-15));
  }

  @Test
  void agreesWithBruteForceOnRandomCasesWithManyTies() {
    Random random = new Random(42);
    for (int trial = 0; trial < 200; trial++) {
      int n = 2 + random.nextInt(40);
      double[] scores = new double[n];
      int[] labels = new int[n];
      for (int i = 0; i < n; i++) {
        scores[i] = random.nextInt(6);
        labels[i] = random.nextInt(3) == 0 ? 1 : 0;
      }
      labels[0] = 1;
      labels[1] = 0;
      assertThat(RankingMetrics.auroc(scores, labels))
          .isCloseTo(bruteForceAuroc(scores, labels), within(1e-12));
      assertThat(RankingMetrics.auprc(scores, labels))
          .isCloseTo(bruteForceAveragePrecision(scores, labels), within(1e-12));
    }
  }

  @Test
  void perfectAndReversedRankings() {
    double[] scores = {1, 2, 3, 4};
    assertThat(RankingMetrics.auroc(scores, new int[] {0, 0, 1, 1})).isEqualTo(1.0);
    assertThat(RankingMetrics.auroc(scores, new int[] {1, 1, 0, 0})).isEqualTo(0.0);
    assertThat(RankingMetrics.auprc(scores, new int[] {0, 0, 1, 1})).isEqualTo(1.0);
    assertThat(RankingMetrics.auroc(scores, new int[] {0, 0, 0, 0})).isNaN();
  }
}
