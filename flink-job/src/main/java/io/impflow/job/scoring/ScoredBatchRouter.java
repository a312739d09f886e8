package io.impflow.job.scoring;

import io.impflow.job.decode.FeatureRecord;
import io.impflow.model.calibration.Calibration;
import io.impflow.model.scoring.BatchScores;
import io.impflow.model.scoring.RowStatus;
import io.impflow.schemas.avro.Alert;
import io.impflow.schemas.avro.DeadLetterReason;
import io.impflow.schemas.avro.ScoredEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the model's scores of one micro-batch into outputs: a {@code ScoredEvent} per scored row, an {@code Alert}
 * (with per-feature attribution) per row below the threshold, and a dead letter per row the model could not score.
 * The attributions of all alerts of a batch come from one further model call
 * ({@link io.impflow.model.DensityModel#attribution(double[][])}).
 *
 * <p>A record that departs from a feature that was constant in training scores log-likelihood −∞ (score +∞, the
 * calibration's smallest p-value), which is below every threshold: it always alerts, and its attribution is −∞ at
 * that feature. Should the model be unable to explain the rest of such a row, the alert's attribution is still −∞
 * there and NaN (unknown) elsewhere, so the departed feature is named in every case.
 */
public final class ScoredBatchRouter {
  private static final Logger LOGGER = LoggerFactory.getLogger(ScoredBatchRouter.class);

  private final String modelVersion;
  private final List<String> featureNames;
  private final double threshold;
  private final Calibration calibration;

  /**
   * A router for one model.
   *
   * @param threshold log-likelihood threshold: a row scoring below it is an anomaly
   * @param calibration the artifact's calibration for p-values, or null (p-values are then NaN)
   */
  public ScoredBatchRouter(String modelVersion, List<String> featureNames, double threshold, Calibration calibration) {
    this.modelVersion = modelVersion;
    this.featureNames = List.copyOf(featureNames);
    this.threshold = threshold;
    this.calibration = calibration;
  }

  /** The threshold in use. */
  public double threshold() {
    return threshold;
  }

  /**
   * Routes every row of the batch to exactly one of score (plus alert when anomalous) or dead letter, in batch order.
   *
   * @param scores the model's scores of {@code batch}
   * @param attribution the model's per-feature attribution of raw rows (d log p / d standardized feature; null for a
   *     row it cannot explain), e.g. {@code DensityModel::attribution}; called once with all of the batch's alerts,
   *     and not at all when it has none
   */
  public void route(List<FeatureRecord> batch, BatchScores scores, Function<double[][], double[][]> attribution,
      ScoredOutputs out) {
    if (scores.size() != batch.size()) {
      throw new IllegalStateException("the model returned " + scores.size() + " scores for a batch of "
          + batch.size() + " rows (model version " + modelVersion + ")");
    }
    double[][] attributions = attributionsOfAlerts(batch, scores, attribution);
    int alerts = 0;
    for (int i = 0; i < batch.size(); i++) {
      FeatureRecord record = batch.get(i);
      RowStatus status = scores.status()[i];
      if (status != RowStatus.SCORED) {
        out.deadLetter(record.raw.toDeadLetter(reason(status), unscoredMessage(record, scores, i), Instant.now()));
        continue;
      }
      double ll = scores.logLikelihood()[i];
      boolean anomaly = isAlert(scores, i);
      ScoredEvent event = ScoredEvent.newBuilder()
          .setId(record.id)
          .setTimestamp(Instant.ofEpochMilli(record.timestamp))
          .setModelVersion(modelVersion)
          .setLogLikelihood(ll)
          .setScore(-ll)
          .setPValue(calibration == null ? Double.NaN : calibration.pValue(ll))
          .setThreshold(threshold)
          .setIsAnomaly(anomaly)
          .setSolverResidual(scores.residual()[i])
          .setSource(record.raw.position())
          .build();
      out.score(event);
      if (anomaly) {
        double[] why = attributions[alerts++];
        int departed = scores.constantDeparture()[i];
        if (why == null) {
          LOGGER.warn("record '{}' at {}: alert without attribution, the solve of model {} did not converge next to"
              + " it{}", record.id, record.raw.where(), modelVersion, departed < 0 ? ""
              : "; it departs from '" + featureNames.get(departed) + "', constant in training");
          why = departed < 0 ? null : departureOnly(departed);
        }
        out.alert(Alert.newBuilder()
            .setEvent(event)
            .setFeatureNames(featureNames)
            .setFeatures(boxed(record.features))
            .setAttribution(why == null ? List.of() : boxed(why))
            .build());
      }
    }
  }

  /** The attributions of the batch's alerts in batch order, from one model call (none without alerts). */
  private double[][] attributionsOfAlerts(List<FeatureRecord> batch, BatchScores scores,
      Function<double[][], double[][]> attribution) {
    List<double[]> alertRows = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      if (isAlert(scores, i)) {
        alertRows.add(batch.get(i).features);
      }
    }
    if (alertRows.isEmpty()) {
      return new double[0][];
    }
    double[][] attributions = attribution.apply(alertRows.toArray(double[][]::new));
    if (attributions.length != alertRows.size()) {
      throw new IllegalStateException("the model returned " + attributions.length + " attributions for "
          + alertRows.size() + " alerts (model version " + modelVersion + ")");
    }
    return attributions;
  }

  /** Whether row i is scored and below the threshold: it gets an alert, and an attribution from the one call. */
  private boolean isAlert(BatchScores scores, int i) {
    return scores.status()[i] == RowStatus.SCORED && scores.logLikelihood()[i] < threshold;
  }

  /** Attribution of a departing row the model cannot otherwise explain: −∞ at the departed feature, NaN else. */
  private double[] departureOnly(int departed) {
    double[] why = new double[featureNames.size()];
    Arrays.fill(why, Double.NaN);
    why[departed] = Double.NEGATIVE_INFINITY;
    return why;
  }

  private String unscoredMessage(FeatureRecord record, BatchScores scores, int i) {
    return "record '" + record.id + "' was not scored by model " + modelVersion + ": " + scores.status()[i]
        + " (solver residual " + scores.residual()[i] + " after " + scores.iterations()[i] + " iterations)";
  }

  private static DeadLetterReason reason(RowStatus status) {
    switch (status) {
      case NON_FINITE_INPUT:
        return DeadLetterReason.NON_FINITE_VALUE;
      case DIMENSION_MISMATCH:
        return DeadLetterReason.DIMENSION_MISMATCH;
      case NOT_CONVERGED:
        return DeadLetterReason.SOLVER_NOT_CONVERGED;
      default:
        throw new IllegalArgumentException("no dead-letter reason for a row with status " + status);
    }
  }

  private static List<Double> boxed(double[] values) {
    List<Double> list = new ArrayList<>(values.length);
    for (double v : values) {
      list.add(v);
    }
    return list;
  }
}
