package io.impflow.trainer.eval;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Exact, tie-aware ranking metrics of anomaly scores (higher = more anomalous) against 0/1 labels (1 = anomaly).
 * AUROC is the Mann–Whitney probability that an anomaly outscores a normal row, ties counting one half; AUPRC is
 * average precision with tied scores entering the ranking together as one threshold step.
 */
public final class RankingMetrics {

  private RankingMetrics() {}

  /** Area under the ROC curve; {@code NaN} unless both classes are present. */
  public static double auroc(double[] scores, int[] labels) {
    checkShapes(scores, labels);
    long positives = Arrays.stream(labels).filter(l -> l == 1).count();
    long negatives = labels.length - positives;
    if (positives == 0 || negatives == 0) {
      return Double.NaN;
    }
    Integer[] order = ascending(scores);
    double positiveRankSum = 0;
    int i = 0;
    while (i < order.length) {
      int j = i;
      while (j + 1 < order.length && scores[order[j + 1]] == scores[order[i]]) {
        j++;
      }
      double midRank = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) {
        if (labels[order[k]] == 1) {
          positiveRankSum += midRank;
        }
      }
      i = j + 1;
    }
    return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
  }

  /** Average precision (area under the step precision–recall curve); {@code NaN} without anomalies. */
  public static double auprc(double[] scores, int[] labels) {
    checkShapes(scores, labels);
    long positives = Arrays.stream(labels).filter(l -> l == 1).count();
    if (positives == 0) {
      return Double.NaN;
    }
    Integer[] order = ascending(scores);
    double sum = 0;
    long truePositives = 0;
    long flagged = 0;
    double previousRecall = 0;
    int i = order.length - 1;
    while (i >= 0) {
      int j = i;
      while (j - 1 >= 0 && scores[order[j - 1]] == scores[order[i]]) {
        j--;
      }
      for (int k = j; k <= i; k++) {
        flagged++;
        truePositives += labels[order[k]];
      }
      double recall = (double) truePositives / positives;
      sum += (recall - previousRecall) * ((double) truePositives / flagged);
      previousRecall = recall;
      i = j - 1;
    }
    return sum;
  }

  private static Integer[] ascending(double[] scores) {
    Integer[] order = IntStream.range(0, scores.length).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingDouble(k -> scores[k]));
    return order;
  }

  private static void checkShapes(double[] scores, int[] labels) {
    if (scores.length != labels.length) {
      throw new IllegalArgumentException(scores.length + " scores but " + labels.length + " labels");
    }
    for (double score : scores) {
      if (Double.isNaN(score)) {
        throw new IllegalArgumentException("a score is NaN; ranking metrics need comparable scores");
      }
    }
  }
}
