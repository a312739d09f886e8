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
    count(batch.modelVersion, batch.targetFpr, batch.scored, batch.finite, batch.logLikelihood, batch.alerts);
    for (int i = 0; i < batch.pValueCount; i++) {
      pValues.add(batch.pValues[i]);
    }
  }

  /** Adds another window's health of the same version (Flink merges accumulators of merging windows this way). */
  public void merge(WindowHealth other) {
    count(other.modelVersion, other.targetFpr, other.scored, other.finite, other.logLikelihood, other.alerts);
    pValues.merge(other.pValues);
  }

  private void count(String version, double fpr, long moreScored, long moreFinite, CompensatedSum moreLogLikelihood,
      long moreAlerts) {
    if (modelVersion == null) {
      modelVersion = version;
      targetFpr = fpr;
    }
    scored += moreScored;
    finite += moreFinite;
    logLikelihood.merge(moreLogLikelihood);
    alerts += moreAlerts;
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
