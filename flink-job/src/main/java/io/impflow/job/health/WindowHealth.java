package io.impflow.job.health;

import io.impflow.schemas.avro.ModelHealth;
import java.time.Instant;

/**
 * The health of one model version over one window, merged from the {@link BatchHealth} of its micro-batches: exact
 * counts (scored, finite, alerts), a compensated sum of the finite log-likelihoods, and the p-values in a
 * {@link PValueHistogram} (exact counts per bin; the distance is evaluated at the bin edges). A Flink POJO: the
 * window's accumulator state.
 */
public final class WindowHealth {
  /** Version of the model. */
  public String modelVersion;
  /** The false-positive rate the version's threshold was calibrated for. */
  public double targetFpr = Double.NaN;
  /** Records scored. */
  public long scored;
  /** Records with a finite log-likelihood. */
  public long finite;
  /** Sum of the finite log-likelihoods. */
  public CompensatedSum logLikelihood = new CompensatedSum();
  /** Records that alerted. */
  public long alerts;
  /** The window's p-values. */
  public PValueHistogram pValues = new PValueHistogram();

  /** Adds one micro-batch. */
  public void add(BatchHealth batch) {
    modelVersion = batch.modelVersion;
    targetFpr = batch.targetFpr;
    scored += batch.scored;
    finite += batch.finite;
    logLikelihood.merge(batch.logLikelihood);
    alerts += batch.alerts;
    for (int i = 0; i < batch.pValueCount; i++) {
      pValues.add(batch.pValues[i]);
    }
  }

  /** Adds another window's health of the same version (Flink merges accumulators of merging windows this way). */
  public void merge(WindowHealth other) {
    if (modelVersion == null) {
      modelVersion = other.modelVersion;
      targetFpr = other.targetFpr;
    }
    scored += other.scored;
    finite += other.finite;
    logLikelihood.merge(other.logLikelihood);
    alerts += other.alerts;
    pValues.merge(other.pValues);
  }

  /** Mean log-likelihood of the finite records; NaN when none. */
  public double meanLogLikelihood() {
    return finite == 0 ? Double.NaN : logLikelihood.value() / finite;
  }

  /** Alerts per scored record; NaN when nothing was scored. */
  public double alertRate() {
    return scored == 0 ? Double.NaN : (double) alerts / scored;
  }

  /** The record for the window [start, end), flagged by the settings' drift rule. */
  public ModelHealth toRecord(long startMillis, long endMillis, HealthSettings settings) {
    double distance = pValues.ksDistance();
    return ModelHealth.newBuilder()
        .setModelVersion(modelVersion)
        .setWindowStart(Instant.ofEpochMilli(startMillis))
        .setWindowEnd(Instant.ofEpochMilli(endMillis))
        .setScored(scored)
        .setFinite(finite)
        .setMeanLogLikelihood(meanLogLikelihood())
        .setAlerts(alerts)
        .setAlertRate(alertRate())
        .setTargetFpr(targetFpr)
        .setUniformityStatistic(distance)
        .setDriftThreshold(settings.driftThreshold())
        .setDrift(settings.drift(pValues.count, distance))
        .build();
  }
}
