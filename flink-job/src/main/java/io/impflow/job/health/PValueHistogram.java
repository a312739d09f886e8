package io.impflow.job.health;

import java.util.Arrays;

/**
 * A fixed-bin histogram of p-values on [0, 1] and its Kolmogorov–Smirnov distance from Uniform(0, 1).
 *
 * <p>Bin j &lt; 1024 holds the p-values in [j/1024, (j+1)/1024), and bin 1024 those equal to 1 (the empirical CDF
 * jumps there, and that jump is part of the distance). Because 1024 is a power of two,
 * {@code p * 1024} is exact in float64 and the binning has no rounding: every count is exact, and so is the empirical
 * CDF at every bin edge. The distance is evaluated at the 1025 edges, D_B = max_j |C_j/n − j/1024| with C_j the
 * number of p-values below edge j; it never exceeds the exact distance D = sup_x |F_n(x) − x| of the unbinned
 * p-values and is at most one bin width (1/1024) below it, whatever the data: within a bin F_n moves between the
 * edge values and x by one width. Merging two histograms adds their counts, so the window's histogram is the same
 * however its micro-batches were split. Memory is fixed (8 KiB), whatever the window's record count.
 *
 * <p>A Flink POJO (public fields, no-argument constructor) so that it is window state with Flink's own serializer.
 */
public final class PValueHistogram {
  /** Number of bins; a power of two so that binning is exact. */
  public static final int BINS = 1024;

  /** Counts per bin; the last entry counts p-values equal to 1. */
  public long[] bins = new long[BINS + 1];
  /** Number of p-values counted (NaN p-values are not counted). */
  public long count;

  /** Counts one p-value; NaN is ignored (an uncalibrated model has none), values outside [0, 1] are refused. */
  public void add(double pValue) {
    if (Double.isNaN(pValue)) {
      return;
    }
    if (pValue < 0 || pValue > 1) {
      throw new IllegalArgumentException("a p-value must lie in [0, 1], got " + pValue);
    }
    bins[(int) (pValue * BINS)]++;
    count++;
  }

  /** Adds the counts of {@code other} to this histogram. */
  public void merge(PValueHistogram other) {
    for (int j = 0; j <= BINS; j++) {
      bins[j] += other.bins[j];
    }
    count += other.count;
  }

  /**
   * The Kolmogorov–Smirnov distance from Uniform(0, 1) at the bin edges, max over j of |C_j/n − j/1024| with C_j
   * the count of p-values below edge j (so at edge 1 it is the share of p-values equal to 1); NaN without p-values.
   */
  public double ksDistance() {
    if (count == 0) {
      return Double.NaN;
    }
    double n = count;
    double distance = 0;
    long below = 0;
    for (int j = 1; j <= BINS; j++) {
      below += bins[j - 1];
      distance = Math.max(distance, Math.abs(below / n - (double) j / BINS));
    }
    return distance;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PValueHistogram && count == ((PValueHistogram) o).count
        && Arrays.equals(bins, ((PValueHistogram) o).bins);
  }

  @Override
  public int hashCode() {
    return 31 * Long.hashCode(count) + Arrays.hashCode(bins);
  }
}
