package io.impflow.trainer.fit;

import ai.djl.ndarray.types.DataType;

/**
 * Optimization settings of one training run.
 *
 * @param epochs most passes over the training rows
 * @param batchSize rows per optimizer step
 * @param learningRate Adam step size
 * @param gradientClipNorm the global gradient norm is scaled down to at most this before each step
 * @param emaDecay decay of the exponential moving average of the weights (warmed up as min(decay, (1+t)/(10+t)))
 * @param patience stop after this many epochs without a better validation NLL
 * @param seed seed of the weight initialization and of the batch order
 * @param dtype FLOAT32 or FLOAT64 for parameters and the training objective
 * @param maxSteps most optimizer steps
 * @param timeBudgetSeconds safety stop: training stops after the step that exceeds this wall time (a fit it stops
 *     depends on the machine's speed; the step budget is what makes a fit reproducible)
 * @param trimFraction share of each batch's lowest log-likelihood rows left out of the loss after warm-up (robust
 *     fit of contaminated data; 0 = plain maximum likelihood)
 * @param trimWarmupSteps optimizer steps of plain maximum likelihood before trimming starts
 */
public record TrainingConfig(int epochs, int batchSize, double learningRate, double gradientClipNorm,
    double emaDecay, int patience, long seed, DataType dtype, long maxSteps, double timeBudgetSeconds,
    double trimFraction, int trimWarmupSteps) {

  /** Settings without a step or time limit beyond {@code epochs} and without trimming. */
  public TrainingConfig(int epochs, int batchSize, double learningRate, double gradientClipNorm, double emaDecay,
      int patience, long seed, DataType dtype) {
    this(epochs, batchSize, learningRate, gradientClipNorm, emaDecay, patience, seed, dtype, Long.MAX_VALUE,
        Double.POSITIVE_INFINITY, 0, 0);
  }

  /** Adam's first-moment decay. */
  static final double BETA1 = 0.9;
  /** Adam's second-moment decay. */
  static final double BETA2 = 0.999;
  /** Adam's denominator guard. */
  static final double EPSILON = 1e-8;

  /** Validates ranges with messages that name the command-line flag. */
  public TrainingConfig {
    require(epochs >= 1, "--epochs must be >= 1, got " + epochs);
    require(batchSize >= 1, "--batch-size must be >= 1, got " + batchSize);
    require(learningRate > 0 && Double.isFinite(learningRate), "--lr must be > 0, got " + learningRate);
    require(gradientClipNorm > 0, "--grad-clip must be > 0, got " + gradientClipNorm);
    require(emaDecay >= 0 && emaDecay < 1, "--ema-decay must be in [0, 1), got " + emaDecay);
    require(patience >= 1, "--patience must be >= 1, got " + patience);
    require(dtype == DataType.FLOAT32 || dtype == DataType.FLOAT64, "--dtype must be float32 or float64");
    require(maxSteps >= 1, "--max-steps must be >= 1, got " + maxSteps);
    require(timeBudgetSeconds > 0, "--time-budget must be > 0, got " + timeBudgetSeconds);
    require(trimFraction >= 0 && trimFraction < 0.5, "--contamination must be in [0, 0.5), got " + trimFraction);
    require(trimWarmupSteps >= 0, "trim warm-up steps must be >= 0, got " + trimWarmupSteps);
  }

  /** A copy with another trimmed share (an estimate from the rows replacing the requested one). */
  public TrainingConfig withTrimFraction(double newTrimFraction) {
    return new TrainingConfig(epochs, batchSize, learningRate, gradientClipNorm, emaDecay, patience, seed, dtype,
        maxSteps, timeBudgetSeconds, newTrimFraction, trimWarmupSteps);
  }

  /** A copy with another batch size (the trainer shrinks batches for small data). */
  public TrainingConfig withBatchSize(int newBatchSize) {
    return new TrainingConfig(epochs, newBatchSize, learningRate, gradientClipNorm, emaDecay, patience, seed, dtype,
        maxSteps, timeBudgetSeconds, trimFraction, trimWarmupSteps);
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
