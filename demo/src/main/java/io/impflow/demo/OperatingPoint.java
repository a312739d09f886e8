package io.impflow.demo;

import io.impflow.model.calibration.Calibration;
import io.impflow.trainer.eval.DetectionMetrics;

/**
 * What the served model's scores detect at another target false-positive rate of its own calibration: the
 * threshold {@link Calibration#withTargetFpr} gives for it from the artifact's held-out table and fitted tail (the
 * threshold {@code train} would have written for that target from the same held-out scores, since neither depends
 * on the target), and precision, recall and false-positive rate of that flag on the replayed rows.
 *
 * @param targetFpr the target false-positive rate
 * @param thresholdLogLikelihood the threshold for it: a row is flagged when its log-likelihood is below it
 * @param detection the flag's figures against the labels (ranking figures as at the served threshold)
 */
public record OperatingPoint(double targetFpr, double thresholdLogLikelihood, DetectionMetrics detection) {

  /** The figures of {@code scores} at {@code calibration}'s threshold; a row that was not scored counts as flagged. */
  static OperatingPoint of(DemoSummary.Scores scores, Calibration calibration) {
    double[] ll = scores.logLikelihood();
    boolean[] flags = new boolean[ll.length];
    for (int i = 0; i < ll.length; i++) {
      flags[i] = Double.isNaN(ll[i]) || calibration.isAnomaly(ll[i]);
    }
    return new OperatingPoint(calibration.targetFpr(), calibration.threshold(),
        DetectionMetrics.of(ll, flags, scores.labels(), -calibration.threshold()));
  }
}
