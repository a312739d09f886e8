package io.impflow.bench.e2e;

import java.util.Arrays;

/**
 * Nearest-rank percentiles of latencies in milliseconds.
 *
 * @param count number of latencies
 * @param p50 median
 * @param p99 99th percentile
 * @param max largest
 */
public record LatencySummary(int count, long p50, long p99, long max) {

  /** The summary of {@code latencies} (not modified); at least one value. */
  public static LatencySummary of(long[] latencies) {
    if (latencies.length == 0) {
      throw new IllegalArgumentException("no latencies to summarize");
    }
    long[] sorted = latencies.clone();
    Arrays.sort(sorted);
    return new LatencySummary(sorted.length, percentile(sorted, 50), percentile(sorted, 99),
        sorted[sorted.length - 1]);
  }

  /** The nearest-rank {@code p}-th percentile of ascending {@code sorted}: the smallest value ≥ p % of them. */
  static long percentile(long[] sorted, double p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
  }
}
