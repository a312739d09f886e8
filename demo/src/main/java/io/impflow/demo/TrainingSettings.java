package io.impflow.demo;

import ai.djl.ndarray.types.DataType;
import io.impflow.model.flow.ActivationKind;
import io.impflow.model.flow.Architecture;
import io.impflow.model.flow.FlowSpec;
import io.impflow.trainer.fit.TrainingConfig;
import java.util.Locale;

/**
 * How the demo trains its model: architecture, optimization, the number of training rows and the split seed. The
 * cache key of a trained model is derived from {@link #canonical()}, so any change here trains a new model.
 *
 * @param architecture IMPFLOW or RESFLOW
 * @param blocks flow blocks
 * @param hidden width of the hidden layers of every residual MLP
 * @param layers hidden layers per residual MLP
 * @param activation the bounded activation
 * @param lipschitz spectral-normalization coefficient c in (0, 1)
 * @param epochs most passes over the training rows
 * @param batchSize rows per optimizer step
 * @param learningRate Adam step size
 * @param patience early-stopping patience in epochs
 * @param trainRows most training rows drawn from the clean split's training part (0 = all of them)
 * @param validationFraction share of the training rows held out for early stopping and calibration
 * @param targetFpr false-positive rate of the calibrated threshold on the held-out rows
 * @param seed seed of the split, the row sample, initialization and batch order
 */
public record TrainingSettings(Architecture architecture, int blocks, int hidden, int layers,
    ActivationKind activation, double lipschitz, int epochs, int batchSize, double learningRate, int patience,
    int trainRows, double validationFraction, double targetFpr, long seed) {

  /**
   * The demo's defaults: small enough to train in about a minute on 2 cores, good enough for AUROC ≥ 0.99 on
   * shuttle. The threshold targets 1 % false positives: shuttle's normal rows have a long low-density tail, so a
   * 0.1 % target sits far out in it and flags almost no outlier.
   */
  public static TrainingSettings defaults() {
    return new TrainingSettings(Architecture.IMPFLOW, 2, 32, 2, ActivationKind.SIN, 0.97, 6, 256, 2e-3, 3, 12_000,
        0.1, 0.01, 1L);
  }

  /** Validates ranges with messages that name the demo's flags. */
  public TrainingSettings {
    require(blocks >= 1, "--blocks must be >= 1, got " + blocks);
    require(hidden >= 1, "--hidden must be >= 1, got " + hidden);
    require(layers >= 1, "--layers must be >= 1, got " + layers);
    require(lipschitz > 0 && lipschitz < 1, "--lipschitz must be in (0, 1), got " + lipschitz);
    require(epochs >= 1, "--epochs must be >= 1, got " + epochs);
    require(trainRows >= 0, "--train-rows must be >= 0 (0 = all), got " + trainRows);
  }

  /** The flow architecture for {@code dimension} features. */
  public FlowSpec flowSpec(int dimension) {
    return new FlowSpec(architecture, dimension, blocks, hidden, layers, activation, lipschitz);
  }

  /** The optimization settings (float32 training; scoring is always float64). */
  public TrainingConfig trainingConfig() {
    return new TrainingConfig(epochs, batchSize, learningRate, 10.0, 0.99, patience, seed, DataType.FLOAT32);
  }

  /** Every setting in one stable line, hashed into the model cache key. */
  public String canonical() {
    return String.format(Locale.ROOT, "arch=%s blocks=%d hidden=%d layers=%d act=%s c=%s epochs=%d batch=%d lr=%s"
        + " patience=%d trainRows=%d val=%s fpr=%s seed=%d dtype=float32 clip=10.0 ema=0.99 whitening=shrinkage",
        architecture, blocks, hidden, layers, activation, lipschitz, epochs, batchSize, learningRate, patience,
        trainRows, validationFraction, targetFpr, seed);
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
