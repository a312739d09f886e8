package io.impflow.trainer.fit;

import ai.djl.ndarray.types.DataType;
import io.impflow.model.artifact.Manifest;
import io.impflow.model.flow.ActivationKind;
import io.impflow.model.flow.Architecture;
import io.impflow.model.flow.FlowSpec;
import io.impflow.trainer.data.DataSourceException;
import io.impflow.trainer.data.Dataset;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Every setting of a training run, as {@code train} takes them from its flags and {@code retrain} from the serving
 * model's manifest and provenance, and the one place that turns them and a dataset into a {@link TrainingRun.Request}
 * (automatic batch size and step budget, trimming warm-up), so both commands fit the same way.
 *
 * @param architecture impflow or resflow
 * @param blocks flow blocks
 * @param hidden hidden width of every residual MLP
 * @param layers hidden layers per residual MLP
 * @param activation the MLPs' activation
 * @param lipschitz spectral-norm coefficient in (0, 1)
 * @param epochs most passes over the training rows
 * @param maxSteps most optimizer steps, or 0 for automatic (a quarter step per training row within [50, 5000])
 * @param timeBudgetSeconds wall-time budget of the fit
 * @param batchSize rows per step, or 0 for automatic (a power of two ≤ rows/8 within [32, 256])
 * @param learningRate Adam step size
 * @param gradientClip global gradient-norm clip
 * @param emaDecay decay of the weight EMA
 * @param patience epochs without a better validation NLL before stopping
 * @param validationFraction share of rows held out for early stopping and calibration
 * @param featureScale standard deviation of the features as the flow sees them
 * @param whiten shrinkage whitening (true) or standardization only
 * @param baseComponents most Gaussian components of the base density
 * @param contamination share of each batch's least likely rows left out of the loss after warm-up
 * @param targetFpr false-positive rate of the calibrated threshold
 * @param seed seed of initialization, hold-out and batch order
 * @param dtype training precision
 */
public record TrainingSettings(Architecture architecture, int blocks, int hidden, int layers,
    ActivationKind activation, double lipschitz, int epochs, long maxSteps, double timeBudgetSeconds, int batchSize,
    double learningRate, double gradientClip, double emaDecay, int patience, double validationFraction,
    double featureScale, boolean whiten, int baseComponents, double contamination, double targetFpr, long seed,
    DataType dtype) {

  /** Epochs of plain maximum likelihood before --contamination trims batches. */
  static final int TRIM_WARMUP_EPOCHS = 1;
  /** Largest automatic batch size, and the fewest rows per automatic batch. */
  private static final int AUTO_BATCH_MAX = 256;
  private static final int AUTO_BATCH_MIN = 32;
  /** Bounds of the automatic step budget, and training rows per step. */
  private static final int AUTO_STEPS_MIN = 50;
  private static final int AUTO_STEPS_MAX = 5000;
  private static final int AUTO_ROWS_PER_STEP = 4;

  /** Validates the architecture; the optimization settings are validated by {@link TrainingConfig}. */
  public TrainingSettings {
    require(blocks >= 1, "--blocks must be >= 1, got " + blocks);
    require(hidden >= 1, "--hidden must be >= 1, got " + hidden);
    require(layers >= 1, "--layers must be >= 1, got " + layers);
    require(lipschitz > 0 && lipschitz < 1, "--lipschitz must be in (0, 1), got " + lipschitz);
    require(maxSteps >= 0, "--max-steps must be >= 1 or auto, got " + maxSteps);
    require(batchSize >= 0, "--batch-size must be >= 1 or auto, got " + batchSize);
  }

  /**
   * The settings the model of {@code manifest} was trained with: its architecture, and the optimization settings
   * its provenance records (the defaults of {@code train} for any it lacks, e.g. in hand-made artifacts).
   */
  public static TrainingSettings fromManifest(Manifest manifest) {
    FlowSpec spec = manifest.spec();
    Map<String, Object> p = manifest.provenance() == null ? Map.of() : manifest.provenance();
    return new TrainingSettings(spec.architecture(), spec.blocks(), spec.hidden(), spec.layers(), spec.activation(),
        spec.lipschitz(),
        (int) number(p, "epochs_max", 1000), (long) number(p, "max_steps", 0), number(p, "time_budget_seconds", 120),
        (int) number(p, "batch_size", 0), number(p, "learning_rate", 1e-3), number(p, "grad_clip", 10),
        number(p, "ema_decay", 0.99), (int) number(p, "patience", 5), number(p, "val_fraction", 0.1),
        number(p, "feature_scale", 1), !"none".equals(p.getOrDefault("whitening", "shrinkage")),
        (int) number(p, "base_components_max", 1), number(p, "contamination", 0.1),
        manifest.calibration() != null ? manifest.calibration().targetFpr() : number(p, "target_fpr", 0.001),
        (long) number(p, "seed", 1),
        "float64".equals(p.get("dtype")) ? DataType.FLOAT64 : DataType.FLOAT32);
  }

  /** A copy with another step budget, time budget and seed (retrain's overrides). */
  public TrainingSettings withBudget(long newMaxSteps, double newTimeBudgetSeconds, long newSeed) {
    return new TrainingSettings(architecture, blocks, hidden, layers, activation, lipschitz, epochs, newMaxSteps,
        newTimeBudgetSeconds, batchSize, learningRate, gradientClip, emaDecay, patience, validationFraction,
        featureScale, whiten, baseComponents, contamination, targetFpr, newSeed, dtype);
  }

  /**
   * The training request for {@code data}, writing the artifact to {@code out}.
   *
   * @throws DataSourceException if the data has more features than the exact model supports
   */
  public TrainingRun.Request request(Dataset data, DeviceOption.DeviceChoice device, Path out)
      throws DataSourceException {
    if (data.dimension() > FlowSpec.MAX_DIMENSION) {
      throw new DataSourceException(data.origin() + " has " + data.dimension() + " features; the exact model"
          + " supports at most " + FlowSpec.MAX_DIMENSION + " (choose columns with --feature-names)");
    }
    int fitRows = data.size() - (int) Math.round(validationFraction * data.size());
    int batch = batchSize(fitRows);
    TrainingConfig config = new TrainingConfig(epochs, batch, learningRate, gradientClip, emaDecay, patience, seed,
        dtype, maxSteps(fitRows), timeBudgetSeconds, contamination,
        TRIM_WARMUP_EPOCHS * Math.max(1, (fitRows + batch - 1) / batch));
    FlowSpec spec = new FlowSpec(architecture, data.dimension(), blocks, hidden, layers, activation, lipschitz);
    return new TrainingRun.Request(data, spec, config, validationFraction, targetFpr, device, out, featureScale,
        whiten, baseComponents);
  }

  /** The batch size: the given one, or for auto the largest power of two ≤ rows/8 within [32, 256]. */
  int batchSize(int fitRows) {
    if (batchSize > 0) {
      return batchSize;
    }
    int b = Integer.highestOneBit(Math.max(1, fitRows / 8));
    return Math.max(AUTO_BATCH_MIN, Math.min(AUTO_BATCH_MAX, b));
  }

  /** The step budget: the given one, or for auto fitRows / 4 within [50, 5000]. */
  long maxSteps(int fitRows) {
    return maxSteps > 0 ? maxSteps
        : Math.max(AUTO_STEPS_MIN, Math.min(AUTO_STEPS_MAX, fitRows / AUTO_ROWS_PER_STEP));
  }

  /** The precision flag value ({@code float32} or {@code float64}) as a data type. */
  public static DataType dataType(String flag) {
    return switch (flag.toLowerCase(Locale.ROOT)) {
      case "float32" -> DataType.FLOAT32;
      case "float64" -> DataType.FLOAT64;
      default -> throw new IllegalArgumentException("--dtype must be float32 or float64, got " + flag);
    };
  }

  private static double number(Map<String, Object> provenance, String key, double fallback) {
    Object value = provenance.get(key);
    return value instanceof Number n ? n.doubleValue() : fallback;
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
