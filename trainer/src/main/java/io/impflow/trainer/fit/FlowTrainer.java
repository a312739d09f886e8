package io.impflow.trainer.fit;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.impflow.model.train.FlowWeights;
import io.impflow.model.train.OwnedTensors;
import io.impflow.model.train.TrainableFlow;
import io.impflow.trainer.data.RowPermutation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fits a {@link TrainableFlow} by exact maximum likelihood: shuffled mini-batches, Adam with gradient-norm
 * clipping, a spectral-norm power-iteration step after every optimizer step, an exponential moving average of the
 * weights, and early stopping on the validation NLL of the EMA weights. Deterministic in the seed on the CPU.
 */
public final class FlowTrainer {

  private static final Logger LOG = LoggerFactory.getLogger(FlowTrainer.class);

  /** Power-iteration steps that settle the spectral-norm state of averaged weights before validation. */
  private static final int SPECTRAL_ITERATIONS = 10;

  private final TrainingConfig config;
  private final TrainingProgress progress;
  /** Sees each mini-batch's manager after backward, while the batch's graph is still alive (the device audit). */
  private Consumer<NDManager> batchObserver = batch -> { };

  /** A trainer with {@code config}, reporting to {@code progress}. */
  public FlowTrainer(TrainingConfig config, TrainingProgress progress) {
    this.config = config;
    this.progress = progress;
  }

  /** Calls {@code observer} with each mini-batch's manager after the backward pass, before the batch is freed. */
  void observeBatches(Consumer<NDManager> observer) {
    this.batchObserver = observer;
  }

  /**
   * Trains {@code flow} on standardized rows.
   *
   * @param flow the flow, freshly created (its weights are overwritten with the best EMA weights at the end)
   * @param train standardized training rows
   * @param validation standardized validation rows (at least one)
   * @param stop checked after every step; when set, training ends and the best weights so far are returned
   */
  public TrainingResult train(TrainableFlow flow, double[][] train, double[][] validation, StopSignal stop) {
    if (train.length == 0 || validation.length == 0) {
      throw new IllegalArgumentException("training needs training and validation rows, got " + train.length
          + " and " + validation.length);
    }
    long start = System.nanoTime();
    Map<String, NDArray> parameters = flow.parameters();
    NDManager manager = parameters.values().iterator().next().getManager();
    AdamOptimizer adam = new AdamOptimizer(config.learningRate(), config.gradientClipNorm());
    SplittableRandom order = new SplittableRandom(config.seed() * 0x9E3779B97F4A7C15L + 1);
    int batchSize = Math.min(config.batchSize(), train.length);
    int stepsPerEpoch = (train.length + batchSize - 1) / batchSize;
    FlowWeights ema = flow.snapshot();
    // The untrained flow (blocks near the identity: the base density behind the input transform) is the first
    // candidate, so training is kept only where it improves the held-out likelihood.
    FlowWeights best = withConvergedSpectralState(flow, ema);
    double bestNll = validationNll(flow, best, validation, config.trimFraction());
    int bestEpoch = 0;
    int sinceBest = 0;
    long steps = 0;
    long skipped = 0;
    boolean interrupted = false;
    boolean stoppedEarly = false;
    List<EpochStats> history = new ArrayList<>();

    boolean budgetSpent = false;
    for (int epoch = 1; epoch <= config.epochs() && !interrupted && !budgetSpent; epoch++) {
      int[] permutation = RowPermutation.random(train.length, order);
      double lossSum = 0;
      int lossCount = 0;
      for (int step = 0; step < stepsPerEpoch; step++) {
        if (stop.isRequested()) {
          interrupted = true;
          break;
        }
        int from = step * batchSize;
        int to = Math.min(train.length, from + batchSize);
        double loss = lossAndGradient(flow, manager, train, permutation, from, to,
            steps >= config.trimWarmupSteps() ? config.trimFraction() : 0);
        double gradientNorm = adam.step(parameters, Double.isFinite(loss));
        if (!Double.isFinite(loss) || !Double.isFinite(gradientNorm)) {
          skipped++;
          if (skipped == 1 || skipped % 100 == 0) {
            LOG.warn("skipped {} optimizer step(s) with a non-finite loss or gradient (last: loss {}, gradient norm"
                + " {}); lower --lr or --lipschitz if this repeats", skipped, loss, gradientNorm);
          }
          continue;
        }
        flow.updateSpectralNorm();
        steps++;
        double decay = Math.min(config.emaDecay(), (1.0 + steps) / (10.0 + steps));
        ema = averaged(ema, flow.snapshot(), 1 - decay, parameters.keySet());
        lossSum += loss;
        lossCount++;
        progress.onStep(epoch, config.epochs(), step + 1, stepsPerEpoch, lossSum / lossCount);
        if (steps >= config.maxSteps()) {
          // the budget ends training mid-epoch; the weights so far are validated below like a finished epoch's
          budgetSpent = true;
          LOG.info("step budget reached after {} step(s) (--max-steps {})", steps, config.maxSteps());
          break;
        }
        double spent = (System.nanoTime() - start) / 1e9;
        if (spent >= config.timeBudgetSeconds()) {
          budgetSpent = true;
          LOG.warn("time budget reached after {} step(s) and {} s (--time-budget {} s): this model depends on the"
              + " machine's speed, so the same data and seed may give another model elsewhere; for a reproducible"
              + " fit raise --time-budget or lower --max-steps", steps, String.format("%.1f", spent),
              config.timeBudgetSeconds());
          break;
        }
      }
      if (interrupted && lossCount == 0) {
        break;
      }
      FlowWeights candidate = withConvergedSpectralState(flow, ema);
      double validationNll = validationNll(flow, candidate, validation, config.trimFraction());
      double elapsed = (System.nanoTime() - start) / 1e9;
      EpochStats stats = new EpochStats(epoch, lossCount == 0 ? Double.NaN : lossSum / lossCount, validationNll,
          elapsed);
      history.add(stats);
      boolean improved = validationNll < bestNll;
      if (improved) {
        bestNll = validationNll;
        best = candidate;
        bestEpoch = epoch;
        sinceBest = 0;
      } else {
        sinceBest++;
      }
      progress.onEpoch(stats, config.epochs(), improved);
      if (sinceBest >= config.patience()) {
        stoppedEarly = true;
        LOG.info("early stopping: validation NLL has not improved for {} epoch(s); best epoch {} ({})",
            sinceBest, bestEpoch, String.format("%.4f", bestNll));
        break;
      }
    }
    flow.restore(best);
    return new TrainingResult(best, bestEpoch, bestNll, List.copyOf(history), steps, stoppedEarly, interrupted,
        (System.nanoTime() - start) / 1e9);
  }

  /**
   * Forward and backward pass of one mini-batch; returns the batch's mean NLL over the rows that enter the loss.
   * With {@code trim} &gt; 0 the {@code floor(trim · n)} rows of lowest log-likelihood are left out of the loss
   * (trimmed likelihood): rows the current model finds most unlikely, such as anomalies in a contaminated training
   * window, do not pull the density towards them.
   */
  private double lossAndGradient(TrainableFlow flow, NDManager manager, double[][] rows, int[] permutation,
      int from, int to, double trim) {
    int d = rows[0].length;
    try (NDManager batchManager = manager.newSubManager()) {
      NDArray x = batch(batchManager, rows, permutation, from, to, d);
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray ll = flow.logLikelihood(x);
        int dropped = (int) Math.floor(trim * (to - from));
        NDArray loss;
        if (dropped == 0) {
          loss = ll.mean().neg();
        } else {
          double[] values = ll.stopGradient().toType(DataType.FLOAT64, true).toDoubleArray();
          double[] sorted = values.clone();
          java.util.Arrays.sort(sorted);
          double cut = sorted[dropped];
          double[] keep = new double[values.length];
          for (int i = 0; i < values.length; i++) {
            keep[i] = values[i] >= cut ? 1 : 0;
          }
          // torch-owned: the product below keeps the mask for backward
          NDArray mask = OwnedTensors.of(batchManager, keep, new Shape(keep.length), ll);
          loss = ll.mul(mask).sum().div(mask.sum()).neg();
        }
        collector.backward(loss);
        batchObserver.accept(batchManager);
        return loss.toType(DataType.FLOAT64, false).getDouble();
      }
    }
  }

  private NDArray batch(NDManager manager, double[][] rows, int[] permutation, int from, int to, int d) {
    int n = to - from;
    Shape shape = new Shape(n, d);
    if (config.dtype() == DataType.FLOAT64) {
      double[] flat = new double[n * d];
      for (int i = 0; i < n; i++) {
        System.arraycopy(rows[permutation[from + i]], 0, flat, i * d, d);
      }
      return manager.create(flat, shape);
    }
    float[] flat = new float[n * d];
    for (int i = 0; i < n; i++) {
      double[] row = rows[permutation[from + i]];
      for (int j = 0; j < d; j++) {
        flat[i * d + j] = (float) row[j];
      }
    }
    return manager.create(flat, shape);
  }

  /**
   * One EMA step of the trainable parameters; the spectral-norm state (power-iteration vectors, not parameters) is
   * taken from {@code current}, since an average of unit vectors is not a unit vector.
   */
  private static FlowWeights averaged(FlowWeights ema, FlowWeights current, double weight,
      java.util.Set<String> parameterNames) {
    FlowWeights blended = ema.lerp(current, weight);
    for (String name : current.names()) {
      if (!parameterNames.contains(name)) {
        blended = blended.with(name, current.get(name));
      }
    }
    return blended;
  }

  /**
   * {@code weights} with power-iteration state run to convergence for them, so the spectral normalization of the
   * averaged weights is as tight as that of trained ones; the flow's own weights are restored after.
   */
  private static FlowWeights withConvergedSpectralState(TrainableFlow flow, FlowWeights weights) {
    FlowWeights current = flow.snapshot();
    flow.restore(weights);
    for (int i = 0; i < SPECTRAL_ITERATIONS; i++) {
      flow.updateSpectralNorm();
    }
    FlowWeights converged = flow.snapshot();
    flow.restore(current);
    return converged;
  }

  /**
   * Mean exact NLL of the validation rows under {@code weights}, leaving out the {@code floor(trim · n)} least likely
   * (the same trimmed likelihood the loss uses, so anomalies among the held-out rows do not choose the model); the
   * flow's own weights are restored after.
   */
  private static double validationNll(TrainableFlow flow, FlowWeights weights, double[][] validation, double trim) {
    FlowWeights current = flow.snapshot();
    flow.restore(weights);
    double[] ll = flow.exactLogLikelihood(validation);
    flow.restore(current);
    double[] finite = java.util.Arrays.stream(ll).filter(Double::isFinite).sorted().toArray();
    if (finite.length < ll.length) {
      LOG.warn("{} of {} validation rows did not converge in the exact solve; their NLL is left out",
          ll.length - finite.length, ll.length);
    }
    int dropped = Math.min((int) Math.floor(trim * finite.length), finite.length - 1);
    double sum = 0;
    for (int i = Math.max(0, dropped); i < finite.length; i++) {
      sum += finite[i];
    }
    return finite.length == 0 ? Double.POSITIVE_INFINITY : -sum / (finite.length - Math.max(0, dropped));
  }
}
