package io.impflow.job.health;

import io.impflow.job.config.JobConfigException;
import java.io.Serializable;

/**
 * How model health is measured: the processing-time window length, the Kolmogorov–Smirnov distance above which a
 * window is flagged as drift, and the fewest p-values a window needs before it can be flagged.
 */
public final class HealthSettings implements Serializable {
  private static final long serialVersionUID = 1L;

  private final long windowMillis;
  private final double driftThreshold;
  private final long minRecords;

  /**
   * Validated settings; the messages name the job's flags.
   *
   * @throws JobConfigException if the window is shorter than 1 ms, the threshold is not in (0, 1) or the minimum
   *     count is below 1
   */
  public HealthSettings(long windowMillis, double driftThreshold, long minRecords) {
    if (windowMillis < 1) {
      throw new JobConfigException("--health-window must be ≥ 1ms, got " + windowMillis + " ms");
    }
    // The KS distance between two distributions on [0, 1] lies in [0, 1]: a threshold outside (0, 1) either flags
    // every window or none.
    if (!(driftThreshold > 0 && driftThreshold < 1)) {
      throw new JobConfigException("--drift-threshold must be a Kolmogorov-Smirnov distance in (0, 1), e.g. 0.1,"
          + " got " + driftThreshold);
    }
    if (minRecords < 1) {
      throw new JobConfigException("--drift-min-records must be ≥ 1, got " + minRecords);
    }
    this.windowMillis = windowMillis;
    this.driftThreshold = driftThreshold;
    this.minRecords = minRecords;
  }

  /** Length of the tumbling processing-time window, in milliseconds. */
  public long windowMillis() {
    return windowMillis;
  }

  /** The Kolmogorov–Smirnov distance above which a window is flagged. */
  public double driftThreshold() {
    return driftThreshold;
  }

  /** The fewest p-values a window needs before it can be flagged. */
  public long minRecords() {
    return minRecords;
  }

  /**
   * The drift rule: a window drifts when it has at least {@link #minRecords} p-values and their distance from
   * Uniform(0, 1) exceeds {@link #driftThreshold}. A NaN distance (no p-values: an uncalibrated model) never drifts.
   */
  public boolean drift(long pValues, double distance) {
    return pValues >= minRecords && distance > driftThreshold;
  }

  @Override
  public String toString() {
    return "HealthSettings{windowMs=" + windowMillis + ", driftThreshold=" + driftThreshold + ", minRecords="
        + minRecords + "}";
  }
}
