package io.impflow.model.scoring;

/**
 * The one definition of "this log-likelihood equals offline scoring of the same row": the difference relative to
 * max(1, |offline log p|), at most a tolerance.
 *
 * <p>Relative, because rows far in the tail have |log p| in the thousands or more, where an absolute 1e-12 is below
 * one ulp of the value (one ulp of 27,828 is 3.6e-12); floored at 1, because near log p = 0 a relative bound would
 * ask for more digits than the value has. The model's batch-invariance test asserts this quantity, and the job's
 * checks ({@code verify}, the cluster ITs) use it through this class.
 */
public final class ScoreAgreement {
  /** The default tolerance of the checks: streamed and offline scores agree to 1e-12 relative to max(1, |log p|). */
  public static final double DEFAULT_TOLERANCE = 1e-12;

  private ScoreAgreement() {}

  /**
   * |value − reference| / max(1, |reference|); positive infinity when either is NaN or the difference is infinite,
   * so a broken score never passes a check.
   */
  public static double relativeDifference(double value, double reference) {
    double relative = Math.abs(value - reference) / Math.max(1, Math.abs(reference));
    return Double.isNaN(relative) ? Double.POSITIVE_INFINITY : relative;
  }

  /** Whether {@code value} equals {@code reference} within {@code tolerance} relative to max(1, |reference|). */
  public static boolean agrees(double value, double reference, double tolerance) {
    return relativeDifference(value, reference) <= tolerance;
  }
}
