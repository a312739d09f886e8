package io.impflow.trainer.eval;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;

/**
 * How well log-likelihoods separate anomalies from normal rows: the mean NLL of the rows and, with labels, AUROC
 * and AUPRC of the score (−log-likelihood) and precision and recall of the calibrated anomaly flag. Fields without
 * labels are {@code null} (left out of the JSON). Rows the model could not score (NaN log-likelihood) are left out
 * of the NLL means and ranked as the most anomalous. Rows with log-likelihood −∞ (a scored row gets it only when
 * it departs from a feature that was constant in training) are counted in {@code constantDepartures}, left out of
 * the NLL means (one such row would make them +∞) and ranked as the most anomalous; the calibrated flag marks them
 * (−∞ is below every threshold).
 *
 * @param rows number of rows evaluated
 * @param unscored rows the model could not score (solver did not converge)
 * @param constantDepartures scored rows with log-likelihood −∞: they depart from a feature that was constant in
 *     training
 * @param anomalies number of rows labelled 1, or {@code null} without labels
 * @param nll mean negative log-likelihood over the rows with a finite log-likelihood (nats, in the model's raw
 *     feature space; NaN when there are none)
 * @param nllNormal mean negative log-likelihood of the rows labelled 0 with a finite log-likelihood, or
 *     {@code null}
 * @param auroc area under the ROC curve of the score, or {@code null}
 * @param auprc average precision of the score, or {@code null}
 * @param threshold the calibrated score threshold (a row is flagged when its score exceeds it)
 * @param flagged number of rows flagged
 * @param precision flagged rows that are anomalies, or {@code null} (also when nothing is flagged)
 * @param recall anomalies that are flagged, or {@code null}
 * @param falsePositiveRate normal rows that are flagged, or {@code null}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DetectionMetrics(
    @JsonProperty("rows") int rows,
    @JsonProperty("unscored") int unscored,
    @JsonProperty("constant_departures") int constantDepartures,
    @JsonProperty("anomalies") Integer anomalies,
    @JsonProperty("nll") double nll,
    @JsonProperty("nll_normal") Double nllNormal,
    @JsonProperty("auroc") Double auroc,
    @JsonProperty("auprc") Double auprc,
    @JsonProperty("threshold") double threshold,
    @JsonProperty("flagged") int flagged,
    @JsonProperty("precision") Double precision,
    @JsonProperty("recall") Double recall,
    @JsonProperty("false_positive_rate") Double falsePositiveRate) {

  /**
   * Metrics of per-row log-likelihoods, anomaly flags and optional labels.
   *
   * @param logLikelihoods log p(x) per row
   * @param flags the calibrated anomaly flag per row
   * @param labels 0/1 per row, or {@code null}
   * @param scoreThreshold the calibrated score threshold
   */
  public static DetectionMetrics of(double[] logLikelihoods, boolean[] flags, int[] labels, double scoreThreshold) {
    int n = logLikelihoods.length;
    double[] scores = Arrays.stream(logLikelihoods).map(ll -> Double.isNaN(ll) ? Double.POSITIVE_INFINITY : -ll)
        .toArray();
    int unscored = (int) Arrays.stream(logLikelihoods).filter(Double::isNaN).count();
    int constantDepartures = (int) Arrays.stream(logLikelihoods).filter(ll -> ll == Double.NEGATIVE_INFINITY).count();
    double nll = Arrays.stream(logLikelihoods).filter(Double::isFinite).map(ll -> -ll).average().orElse(Double.NaN);
    int flagged = 0;
    for (boolean flag : flags) {
      flagged += flag ? 1 : 0;
    }
    if (labels == null) {
      return new DetectionMetrics(n, unscored, constantDepartures, null, nll, null, null, null, scoreThreshold,
          flagged, null, null, null);
    }
    int anomalies = 0;
    int truePositives = 0;
    int falsePositives = 0;
    double normalSum = 0;
    int normalScored = 0;
    for (int i = 0; i < n; i++) {
      anomalies += labels[i];
      if (flags[i]) {
        truePositives += labels[i];
        falsePositives += 1 - labels[i];
      }
      if (labels[i] == 0 && Double.isFinite(logLikelihoods[i])) {
        normalSum += scores[i];
        normalScored++;
      }
    }
    int normals = n - anomalies;
    return new DetectionMetrics(n, unscored, constantDepartures, anomalies, nll,
        normalScored == 0 ? null : normalSum / normalScored,
        finiteOrNull(RankingMetrics.auroc(scores, labels)), finiteOrNull(RankingMetrics.auprc(scores, labels)),
        scoreThreshold, flagged,
        flagged == 0 ? null : (double) truePositives / flagged,
        anomalies == 0 ? null : (double) truePositives / anomalies,
        normals == 0 ? null : (double) falsePositives / normals);
  }

  private static Double finiteOrNull(double value) {
    return Double.isFinite(value) ? value : null;
  }
}
