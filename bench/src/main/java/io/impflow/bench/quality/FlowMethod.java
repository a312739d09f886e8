package io.impflow.bench.quality;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.impflow.model.DensityModel;
import io.impflow.model.artifact.ArtifactException;
import io.impflow.model.flow.ActivationKind;
import io.impflow.model.flow.Architecture;
import io.impflow.model.flow.FlowSpec;
import io.impflow.model.train.TrainableFlow;
import io.impflow.trainer.data.DataSourceException;
import io.impflow.trainer.data.Dataset;
import io.impflow.trainer.data.RowPermutation;
import io.impflow.trainer.data.SplitProtocol;
import io.impflow.trainer.eval.DatasetScorer;
import io.impflow.trainer.fit.DeviceOption;
import io.impflow.trainer.fit.DeviceUnavailableException;
import io.impflow.trainer.fit.EpochStats;
import io.impflow.trainer.fit.StopSignal;
import io.impflow.trainer.fit.TrainingConfig;
import io.impflow.trainer.fit.TrainingProgress;
import io.impflow.trainer.fit.TrainingRun;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * ImpFlow or ResFlow trained and scored exactly as a user would: the trainer's {@link TrainingRun} (hold-out,
 * standardization, early stopping, calibration, artifact with exact Lipschitz rescaling), then the exported artifact
 * loaded with {@link DensityModel} and scored in float64. Score = −log p(x); rows whose solve does not converge
 * score +∞.
 */
public final class FlowMethod implements DetectionMethod {

  /** Learning rate, gradient clip and EMA decay: the trainer CLI's defaults. */
  static final double LEARNING_RATE = 1e-3;
  static final double GRADIENT_CLIP = 10;
  static final double EMA_DECAY = 0.99;
  /** Share of the flow's training rows held out for early stopping and calibration (the trainer CLI's default). */
  static final double VALIDATION_FRACTION = 0.1;
  /** Target false-positive rate of the calibrated threshold (the trainer CLI's default; unused by AUROC/AUPRC). */
  static final double TARGET_FPR = 0.001;

  private final String name;
  private final Architecture architecture;
  private final int blocks;
  private final int hidden;
  private final int layers;
  private final ActivationKind activation;
  private final double lipschitz;
  private final FlowBudget budget;

  /**
   * A flow method.
   *
   * @param name table name
   * @param architecture IMPFLOW or RESFLOW
   * @param blocks number of blocks
   * @param hidden hidden width of every residual MLP
   * @param layers hidden layers of every residual MLP
   * @param activation activation of the MLPs
   * @param lipschitz spectral-normalization coefficient c
   * @param budget training budget
   */
  public FlowMethod(String name, Architecture architecture, int blocks, int hidden, int layers,
      ActivationKind activation, double lipschitz, FlowBudget budget) {
    this.name = name;
    this.architecture = architecture;
    this.blocks = blocks;
    this.hidden = hidden;
    this.layers = layers;
    this.activation = activation;
    this.lipschitz = lipschitz;
    this.budget = budget;
  }

  @Override
  public String name() {
    return name;
  }

  /** The flow's architecture for data of {@code dimension} features. */
  public FlowSpec spec(int dimension) {
    return new FlowSpec(architecture, dimension, blocks, hidden, layers, activation, lipschitz);
  }

  /** A one-line description, e.g. {@code 2 blocks, g = d-64-64-d, sin, c = 0.97}. */
  public String describe() {
    StringBuilder g = new StringBuilder("d");
    for (int l = 0; l < layers; l++) {
      g.append('-').append(hidden);
    }
    g.append("-d");
    return String.format(Locale.ROOT, "%d blocks, g = %s, %s, c = %s", blocks, g,
        activation.toString().toLowerCase(Locale.ROOT), lipschitz);
  }

  @Override
  public long parameterCount(int dimension) {
    try (TrainableFlow flow = TrainableFlow.create(spec(dimension), 0L, Device.cpu(), DataType.FLOAT32)) {
      return flow.parameters().values().stream().mapToLong(NDArray::size).sum();
    }
  }

  @Override
  public MethodRun run(SplitProtocol.Split split, long seed) throws MethodFailedException {
    Path scratch = null;
    try {
      scratch = Files.createTempDirectory("impflow-bench-" + name.toLowerCase(Locale.ROOT));
      Path artifact = scratch.resolve("model");
      Dataset train = subsample(split.train().withoutLabels(), seed);
      Stopwatch fit = Stopwatch.start();
      TrainingRun.Outcome outcome = train(train, seed, artifact);
      Stopwatch.Elapsed fitTime = fit.elapsed();
      try (DensityModel model = DensityModel.load(artifact)) {
        double[][] test = split.test().rows();
        DatasetScorer.score(model, Arrays.copyOf(test, Math.min(test.length, 64)), null);
        Stopwatch score = Stopwatch.start();
        DatasetScorer.ScoredRows scored = DatasetScorer.score(model, test, null);
        Stopwatch.Elapsed scoreTime = score.elapsed();
        double[] scores = Arrays.stream(scored.logLikelihood())
            .map(ll -> Double.isNaN(ll) ? Double.POSITIVE_INFINITY : -ll).toArray();
        String note = String.format(Locale.ROOT, "epochs run/best/max %d/%d/%d, batch %d",
            outcome.training().history().size(), outcome.training().bestEpoch(),
            budget.epochs(fitRows(train.size())), budget.batchSize(fitRows(train.size())));
        return new MethodRun(scores, scored.unscored(), fitTime, scoreTime, train.size(), note);
      }
    } catch (DataSourceException | ArtifactException | IOException | RuntimeException e) {
      throw new MethodFailedException(name + " on " + split.train().origin() + ": " + e.getMessage(), e);
    } finally {
      deleteRecursively(scratch);
    }
  }

  /**
   * Trains this flow on {@code train} (all of it: subsample first if needed) with the trainer's training run and
   * writes the artifact, calibrated on the held-out rows, to {@code artifact}.
   */
  public TrainingRun.Outcome train(Dataset train, long seed, Path artifact)
      throws DataSourceException, ArtifactException, IOException {
    int fitRows = fitRows(train.size());
    TrainingConfig config = new TrainingConfig(budget.epochs(fitRows), budget.batchSize(fitRows), LEARNING_RATE,
        GRADIENT_CLIP, EMA_DECAY, budget.patience(), seed, DataType.FLOAT32);
    try {
      return TrainingRun.run(new TrainingRun.Request(train, spec(train.dimension()), config, VALIDATION_FRACTION,
          TARGET_FPR, DeviceOption.CPU.resolve(0), artifact), SILENT, new StopSignal());
    } catch (DeviceUnavailableException e) {
      throw new IllegalStateException("--device cpu cannot be unavailable", e);
    }
  }

  /** Rows the optimizer sees once {@link TrainingRun} has held out its validation rows. */
  private static int fitRows(int rows) {
    return rows - Math.max(2, (int) Math.round(VALIDATION_FRACTION * rows));
  }

  /** The training part, or a seeded random subset of {@link FlowBudget#maxTrainRows()} of it (kept in file order). */
  public Dataset subsample(Dataset train, long seed) {
    if (train.size() <= budget.maxTrainRows()) {
      return train;
    }
    int[] picked = Arrays.copyOf(RowPermutation.random(train.size(), new SplittableRandom(seed ^ 0x5DEECE66DL)),
        budget.maxTrainRows());
    Arrays.sort(picked);
    return train.select(picked, train.origin() + " (random " + picked.length + " rows)");
  }

  private static void deleteRecursively(Path root) {
    if (root == null) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the scratch model directory " + root, e);
    }
  }

  private static final TrainingProgress SILENT = new TrainingProgress() {
    @Override
    public void onStep(int epoch, int epochs, int step, int stepsPerEpoch, double runningTrainNll) {}

    @Override
    public void onEpoch(EpochStats stats, int epochs, boolean best) {}
  };
}
