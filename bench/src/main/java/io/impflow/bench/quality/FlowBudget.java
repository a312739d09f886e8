package io.impflow.bench.quality;

/**
 * The training budget of a flow in the suite, chosen so the whole regeneration fits its time budget on a small
 * machine: at most {@code epochs} passes with early stopping after {@code patience} epochs without a better
 * validation NLL, on at most {@code maxTrainRows} rows of the training part (a seeded random subset when larger).
 * Mini-batches are {@link #SMALL_DATA_BATCH} rows when the training rows are fewer than {@link #SMALL_DATA_ROWS},
 * so small sets still get a useful number of optimizer steps, and {@link #BATCH} rows otherwise.
 *
 * @param epochs most epochs
 * @param patience early-stopping patience in epochs
 * @param maxTrainRows most training rows a flow sees
 */
public record FlowBudget(int epochs, int patience, int maxTrainRows) {

  /** Mini-batch size on larger sets (the trainer CLI's default). */
  public static final int BATCH = 256;
  /** Mini-batch size on small sets. */
  public static final int SMALL_DATA_BATCH = 64;
  /** Below this many training rows a set counts as small. */
  public static final int SMALL_DATA_ROWS = 2_000;

  /** Validates with messages naming the suite's flags. */
  public FlowBudget {
    if (epochs < 1) {
      throw new IllegalArgumentException("--flow-epochs must be >= 1, got " + epochs);
    }
    if (patience < 1) {
      throw new IllegalArgumentException("--flow-patience must be >= 1, got " + patience);
    }
    if (maxTrainRows < 20) {
      throw new IllegalArgumentException("--flow-max-rows must be >= 20, got " + maxTrainRows);
    }
  }

  /** The mini-batch size for {@code trainRows} training rows. */
  public int batchSize(int trainRows) {
    return trainRows < SMALL_DATA_ROWS ? SMALL_DATA_BATCH : BATCH;
  }
}
