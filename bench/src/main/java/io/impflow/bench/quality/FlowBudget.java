package io.impflow.bench.quality;

/**
 * The training budget of a flow in the suite, chosen so the whole regeneration fits its time budget on a small
 * machine: about {@code steps} optimizer steps (the epoch count is steps divided by the batches per epoch, at least
 * 1 and at most {@code maxEpochs}), early stopping after {@code patience} epochs without a better validation NLL,
 * on at most {@code maxTrainRows} rows of the training part (a seeded random subset when larger). Mini-batches are
 * {@link #SMALL_DATA_BATCH} rows when the fit rows are fewer than {@link #SMALL_DATA_ROWS}, so small sets get more
 * steps per epoch, and {@link #BATCH} rows otherwise.
 *
 * @param steps target number of optimizer steps
 * @param maxEpochs most epochs
 * @param patience early-stopping patience in epochs
 * @param maxTrainRows most training rows a flow sees
 */
public record FlowBudget(int steps, int maxEpochs, int patience, int maxTrainRows) {

  /** Mini-batch size on larger sets (the trainer CLI's default). */
  public static final int BATCH = 256;
  /** Mini-batch size on small sets. */
  public static final int SMALL_DATA_BATCH = 64;
  /** Below this many fit rows a set counts as small. */
  public static final int SMALL_DATA_ROWS = 2_000;

  /** Validates with messages naming the suite's flags. */
  public FlowBudget {
    if (steps < 1) {
      throw new IllegalArgumentException("--flow-steps must be >= 1, got " + steps);
    }
    if (maxEpochs < 1) {
      throw new IllegalArgumentException("--flow-max-epochs must be >= 1, got " + maxEpochs);
    }
    if (patience < 1) {
      throw new IllegalArgumentException("--flow-patience must be >= 1, got " + patience);
    }
    if (maxTrainRows < 20) {
      throw new IllegalArgumentException("--flow-max-rows must be >= 20, got " + maxTrainRows);
    }
  }

  /** The mini-batch size for {@code fitRows} rows. */
  public int batchSize(int fitRows) {
    return fitRows < SMALL_DATA_ROWS ? SMALL_DATA_BATCH : BATCH;
  }

  /** The epoch count that gives about {@link #steps()} optimizer steps on {@code fitRows} rows. */
  public int epochs(int fitRows) {
    int batches = Math.max(1, (fitRows + batchSize(fitRows) - 1) / batchSize(fitRows));
    return Math.max(1, Math.min(maxEpochs, (steps + batches - 1) / batches));
  }
}
