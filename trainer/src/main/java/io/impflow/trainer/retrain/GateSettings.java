package io.impflow.trainer.retrain;

/**
 * How strict the retraining gate is.
 *
 * @param logLikelihoodTolerance nats by which the candidate's mean log-likelihood of the rows both models call normal
 *     may fall below the serving model's
 * @param alertRateFactor the candidate may flag up to this multiple of the target false-positive rate (plus three
 *     binomial standard deviations), or as many rows as the serving model flags, whichever is more
 * @param minCommonRows fewest rows both models must call normal for the log-likelihood comparison to be made
 */
public record GateSettings(double logLikelihoodTolerance, double alertRateFactor, int minCommonRows) {

  /** The defaults: 1 nat, 2x the target rate, 20 rows. */
  public static final GateSettings DEFAULTS = new GateSettings(1.0, 2.0, 20);

  /** Validates, naming the flags. */
  public GateSettings {
    if (!(logLikelihoodTolerance >= 0) || !Double.isFinite(logLikelihoodTolerance)) {
      throw new IllegalArgumentException("--ll-tolerance must be finite and >= 0, got " + logLikelihoodTolerance);
    }
    if (!(alertRateFactor >= 1) || !Double.isFinite(alertRateFactor)) {
      throw new IllegalArgumentException("--alert-rate-factor must be finite and >= 1, got " + alertRateFactor);
    }
    if (minCommonRows < 1) {
      throw new IllegalArgumentException("--min-common-rows must be >= 1, got " + minCommonRows);
    }
  }
}
