package io.impflow.job.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/** The binned Kolmogorov–Smirnov distance against brute-force ones on random p-values. */
class PValueHistogramTest {
  private static final double WIDTH = 1.0 / PValueHistogram.BINS;

  /** sup_x |F_n(x) − x| of the unbinned values, from the sorted values (the textbook formula). */
  private static double exactDistance(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    double distance = 0;
    for (int i = 1; i <= n; i++) {
      distance = Math.max(distance, Math.max((double) i / n - sorted[i - 1], sorted[i - 1] - (double) (i - 1) / n));
    }
    return distance;
  }

  /** max over the bin edges e of |#{p < e}/n − e|, counting by a scan over all values per edge. */
  private static double edgeDistance(double[] values) {
    double distance = 0;
    for (int j = 0; j <= PValueHistogram.BINS; j++) {
      double edge = (double) j / PValueHistogram.BINS;
      long below = Arrays.stream(values).filter(p -> p < edge).count();
      distance = Math.max(distance, Math.abs((double) below / values.length - edge));
    }
    return distance;
  }

  private static PValueHistogram histogramOf(double[] values) {
    PValueHistogram histogram = new PValueHistogram();
    for (double p : values) {
      histogram.add(p);
    }
    return histogram;
  }

  private static double[] draw(int n, DoubleSupplier p) {
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      values[i] = p.getAsDouble();
    }
    return values;
  }

  @Test
  void distanceIsTheBruteForceOneAtTheEdgesAndWithinOneBinOfTheExactOne() {
    Random random = new Random(5);
    for (int trial = 0; trial < 300; trial++) {
      int n = 1 + random.nextInt(trial < 100 ? 20 : 3000);
      double shape = 0.2 + 3 * random.nextDouble();
      double[] values;
      switch (trial % 4) {
        case 0:
          values = draw(n, random::nextDouble);
          break;
        case 1:
          // Skewed towards 0 or 1, like the p-values of shifted data.
          values = draw(n, () -> Math.pow(random.nextDouble(), shape));
          break;
        case 2:
          // Values on the bin edges themselves, ties included.
          values = draw(n, () -> random.nextInt(PValueHistogram.BINS + 1) * WIDTH);
          break;
        default:
          // A few distinct values, many ties, 0 and 1 included.
          values = draw(n, () -> random.nextInt(5) / 4.0);
      }
      double binned = histogramOf(values).ksDistance();
      double exact = exactDistance(values);
      assertThat(binned).as("trial %d, n = %d", trial, n).isEqualTo(edgeDistance(values));
      assertThat(binned).as("trial %d, n = %d", trial, n).isLessThanOrEqualTo(exact + 1e-15)
          .isGreaterThanOrEqualTo(exact - WIDTH - 1e-15);
    }
  }

  @Test
  void distanceIsSmallOnUniformValuesAndLargeOnConcentratedOnes() {
    Random random = new Random(8);
    assertThat(histogramOf(draw(20_000, random::nextDouble)).ksDistance()).isLessThan(0.02);
    // All p-values below 0.1 (data far less likely than the calibration rows): F_n(0.1) = 1, so the exact distance
    // is ≥ 0.9 and the binned one ≥ 0.9 − 1/1024.
    assertThat(histogramOf(draw(1000, () -> 0.1 * random.nextDouble())).ksDistance())
        .isGreaterThanOrEqualTo(0.9 - WIDTH);
  }

  @Test
  void mergingHistogramsEqualsCountingTheUnionOfTheirValues() {
    Random random = new Random(13);
    double[] values = draw(5000, () -> Math.pow(random.nextDouble(), 2));
    PValueHistogram merged = new PValueHistogram();
    int from = 0;
    while (from < values.length) {
      int to = Math.min(values.length, from + 1 + random.nextInt(300));
      merged.merge(histogramOf(Arrays.copyOfRange(values, from, to)));
      from = to;
    }
    PValueHistogram whole = histogramOf(values);
    assertThat(merged).isEqualTo(whole);
    assertThat(merged.count).isEqualTo(values.length);
    assertThat(merged.ksDistance()).isEqualTo(whole.ksDistance());
  }

  @Test
  void binsAreExactAtTheirEdgesAndOneHasABinOfItsOwn() {
    PValueHistogram histogram = new PValueHistogram();
    histogram.add(0.0);
    histogram.add(3 * WIDTH);
    histogram.add(Math.nextDown(3 * WIDTH));
    histogram.add(1.0);
    assertThat(histogram.bins[0]).isEqualTo(1);
    assertThat(histogram.bins[2]).isEqualTo(1);
    assertThat(histogram.bins[3]).isEqualTo(1);
    assertThat(histogram.bins[PValueHistogram.BINS]).isEqualTo(1);
    // A quarter of the p-values equal 1: the CDF jumps by 1/4 at 1.
    assertThat(histogram.ksDistance()).isGreaterThanOrEqualTo(0.25);
  }

  @Test
  void nanIsNotCountedAndOutOfRangeIsRefused() {
    PValueHistogram histogram = new PValueHistogram();
    assertThat(histogram.ksDistance()).isNaN();
    histogram.add(Double.NaN);
    assertThat(histogram.count).isZero();
    assertThat(histogram.ksDistance()).isNaN();
    assertThatThrownBy(() -> histogram.add(1.5)).hasMessageContaining("[0, 1]").hasMessageContaining("1.5");
    assertThatThrownBy(() -> histogram.add(-0.0001)).hasMessageContaining("[0, 1]");
  }
}
