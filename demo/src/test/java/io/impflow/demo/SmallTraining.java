package io.impflow.demo;

import io.impflow.model.flow.Architecture;
import io.impflow.trainer.fit.TrainingSettings;

/** Training settings for the demo's tests: {@code train}'s defaults with a small model and a short step budget. */
final class SmallTraining {
  private SmallTraining() {}

  /** {@link TrainingSettings#defaults()} with these overrides; the rest (robust start, auto trimming) as train's. */
  static TrainingSettings settings(Architecture architecture, int blocks, int hidden, int layers, long maxSteps,
      double targetFpr, long seed) {
    TrainingSettings d = TrainingSettings.defaults();
    return new TrainingSettings(architecture, blocks, hidden, layers, d.activation(), d.lipschitz(), d.epochs(),
        maxSteps, d.timeBudgetSeconds(), d.batchSize(), d.learningRate(), d.gradientClip(), d.emaDecay(),
        d.patience(), d.validationFraction(), d.featureScale(), d.whitening(), d.baseComponents(), d.contamination(),
        targetFpr, seed, d.dtype());
  }
}
