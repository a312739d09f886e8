package io.impflow.job.health;

/**
 * A float64 sum with Neumaier's compensation: the rounding error of every addition is carried in a second term, so
 * the error of a sum of n terms stays at a few ulps of the result instead of growing with n, and the mean of a
 * window does not depend on how its records were split into micro-batches beyond that. A Flink POJO.
 */
public final class CompensatedSum {
  /** The running sum. */
  public double sum;
  /** The accumulated rounding error of {@link #sum}. */
  public double compensation;

  /** Adds a finite term. */
  public void add(double term) {
    double t = sum + term;
    if (Math.abs(sum) >= Math.abs(term)) {
      compensation += (sum - t) + term;
    } else {
      compensation += (term - t) + sum;
    }
    sum = t;
  }

  /** Adds another compensated sum. */
  public void merge(CompensatedSum other) {
    add(other.sum);
    add(other.compensation);
  }

  /** The compensated value. */
  public double value() {
    return sum + compensation;
  }
}
