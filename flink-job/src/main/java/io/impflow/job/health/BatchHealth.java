package io.impflow.job.health;

import java.util.Arrays;

/**
 * What one micro-batch contributes to its model version's health window: the records the version scored, how many
 * had a finite log-likelihood and their sum (compensated), the alerts, and the batch's p-values themselves (at most
 * one micro-batch of doubles, so nothing is binned before the window merges them).
 *
 * <p>A Flink POJO (public fields, no-argument constructor): the scoring operator's side output to the window.
 */
public final class BatchHealth {
  /** Version of the model that scored the batch. */
  public String modelVersion;
  /** The false-positive rate that model's threshold was calibrated for (NaN when unknown). */
  public double targetFpr;
  /** Records scored. */
  public long scored;
  /** Of those, records with a finite log-likelihood. */
  public long finite;
  /** Sum of the finite log-likelihoods. */
  public CompensatedSum logLikelihood = new CompensatedSum();
  /** Records that alerted. */
  public long alerts;
  /** The non-NaN p-values of the batch, in batch order ({@link #pValueCount} of them are in use). */
  public double[] pValues = new double[0];
  /** How many entries of {@link #pValues} are in use. */
  public int pValueCount;

  /** An empty summary, for Flink's serializer. */
  public BatchHealth() {}

  /** An empty summary of a batch scored by {@code modelVersion}, with room for {@code capacity} records. */
  public BatchHealth(String modelVersion, double targetFpr, int capacity) {
    this.modelVersion = modelVersion;
    this.targetFpr = targetFpr;
    this.pValues = new double[capacity];
  }

  /** Adds a scored record: its log-likelihood (may be −∞), its p-value (NaN when uncalibrated), whether it alerted. */
  public void add(double logLikelihood, double pValue, boolean alert) {
    scored++;
    if (Double.isFinite(logLikelihood)) {
      finite++;
      this.logLikelihood.add(logLikelihood);
    }
    if (alert) {
      alerts++;
    }
    if (!Double.isNaN(pValue)) {
      if (pValueCount == pValues.length) {
        pValues = Arrays.copyOf(pValues, Math.max(8, 2 * pValues.length));
      }
      pValues[pValueCount++] = pValue;
    }
  }

  /** This summary with its p-value array trimmed to the values in use, ready to be emitted. */
  public BatchHealth trimmed() {
    pValues = Arrays.copyOf(pValues, pValueCount);
    return this;
  }
}
