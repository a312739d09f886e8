package io.impflow.bench.quality;

/**
 * The training budget of a flow in the suite, chosen so the whole regeneration fits its time budget on a small
 * machine: about {@code steps} optimizer steps on small sets and {@code largeDataStepFactor} times as many on sets of
 * at least {@link #SMALL_DATA_ROWS} fit rows (the epoch count is steps divided by the batches per epoch, at least 1
 * and at most {@code maxEpochs}), early stopping after {@code patience} epochs without a better validation NLL, on at
 * most {@code maxTrainRows} rows of the training part (a seeded random subset when larger). Mini-batches are
 * {@link #SMALL_DATA_BATCH} rows when the fit rows are fewer than {@link #SMALL_DATA_ROWS}, so small sets get more
 * steps per epoch, and {@link #BATCH} rows otherwise.
 *
 * <p>Why the budget depends on the data's size: a few hundred rows are overfitted well before a large set is fitted
 * (pima's 350 rows lose AUROC beyond about 20 epochs while its held-out NLL still improves, and satellite's flows
 * are still improving at 37 epochs; docs/benchmarks.md, Analysis), and validation NLL on a few dozen held-out rows
 * does not catch the overfitting, so the size itself decides.
 *
 * @param steps target number of optimizer steps on sets of fewer than {@link #SMALL_DATA_ROWS} fit rows
 * @param maxEpochs most epochs
 * @param patience early-stopping patience in epochs
 * @param maxTrainRows most training rows a flow sees
 * @param largeDataStepFactor how many times {@code steps} a set of at least {@link #SMALL_DATA_ROWS} fit rows gets
 */
public record FlowBudget(int steps, int maxEpochs, int patience, int maxTrainRows, int largeDataStepFactor) {

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
    if (largeDataStepFactor < 1) {
      throw new IllegalArgumentException("--flow-large-data-step-factor must be >= 1, got " + largeDataStepFactor);
    }
  }

  /** A budget of about {@code steps} optimizer steps whatever the data's size. */
  public FlowBudget(int steps, int maxEpochs, int patience, int maxTrainRows) {
    this(steps, maxEpochs, patience, maxTrainRows, 1);
  }

  /** The mini-batch size for {@code fitRows} rows. */
  public int batchSize(int fitRows) {
    return fitRows < SMALL_DATA_ROWS ? SMALL_DATA_BATCH : BATCH;
  }

  /** The target number of optimizer steps for {@code fitRows} rows. */
  public int steps(int fitRows) {
    return fitRows < SMALL_DATA_ROWS ? steps : steps * largeDataStepFactor;
  }

  /** The epoch count that gives about {@link #steps(int)} optimizer steps on {@code fitRows} rows. */
  public int epochs(int fitRows) {
    int batches = Math.max(1, (fitRows + batchSize(fitRows) - 1) / batchSize(fitRows));
    return Math.max(1, Math.min(maxEpochs, (steps(fitRows) + batches - 1) / batches));
  }
}
