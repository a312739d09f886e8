package io.impflow.trainer.fit;

import ai.djl.ndarray.types.DataType;
import io.impflow.model.artifact.Manifest;
import io.impflow.model.flow.ActivationKind;
import io.impflow.model.flow.Architecture;
import io.impflow.model.flow.FlowSpec;
import io.impflow.model.flow.WhiteningMethod;
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
 * @param maxSteps most optimizer steps, or 0 for automatic (a quarter step per training row within [50, 2000])
 * @param timeBudgetSeconds wall-time safety stop of the fit (the defaults never reach it; a fit it stops depends on
 *     the machine's speed and is not reproducible, which is logged)
 * @param batchSize rows per step, or 0 for automatic (a power of two ≤ rows/8 within [32, 256])
 * @param learningRate Adam step size
 * @param gradientClip global gradient-norm clip
 * @param emaDecay decay of the weight EMA
 * @param patience epochs without a better validation NLL before stopping
 * @param validationFraction share of rows held out for early stopping and calibration
 * @param featureScale standard deviation of the features as the flow sees them
 * @param whitening how the input transform is estimated (robust, shrinkage or none)
 * @param baseComponents most Gaussian components of the base density
 * @param contamination share of each batch's least likely rows left out of the loss, or {@link #CONTAMINATION_AUTO} to
 *     estimate it from the rows (the excess of the robust start's distances over its Gaussian's)
 * @param targetFpr false-positive rate of the calibrated threshold
 * @param seed seed of initialization, hold-out and batch order
 * @param dtype training precision
 */
public record TrainingSettings(Architecture architecture, int blocks, int hidden, int layers,
    ActivationKind activation, double lipschitz, int epochs, long maxSteps, double timeBudgetSeconds, int batchSize,
    double learningRate, double gradientClip, double emaDecay, int patience, double validationFraction,
    double featureScale, WhiteningMethod whitening, int baseComponents, double contamination, double targetFpr, long seed,
    DataType dtype) {

  /** The value of {@code maxSteps} and {@code batchSize} that asks for automatic. */
  public static final int AUTO = 0;
  /** The value of {@code contamination} that asks for an estimate from the rows. */
  public static final double CONTAMINATION_AUTO = -1;
  /** Epochs of plain maximum likelihood before trimming starts, when the start is not robust. */
  static final int TRIM_WARMUP_EPOCHS = 1;
  /** Largest automatic batch size, and the fewest rows per automatic batch. */
  private static final int AUTO_BATCH_MAX = 256;
  private static final int AUTO_BATCH_MIN = 32;
  /** Bounds of the automatic step budget, and training rows per step. */
  private static final int AUTO_STEPS_MIN = 50;
  private static final int AUTO_STEPS_MAX = 2000;
  private static final int AUTO_ROWS_PER_STEP = 4;

  /** Validates the architecture; the optimization settings are validated by {@link TrainingConfig}. */
  public TrainingSettings {
    require(blocks >= 1, "--blocks must be >= 1, got " + blocks);
    require(hidden >= 1, "--hidden must be >= 1, got " + hidden);
    require(layers >= 1, "--layers must be >= 1, got " + layers);
    require(lipschitz > 0 && lipschitz < 1, "--lipschitz must be in (0, 1), got " + lipschitz);
    require(maxSteps >= 0, "--max-steps must be >= 1 or auto, got " + maxSteps);
    require(batchSize >= 0, "--batch-size must be >= 1 or auto, got " + batchSize);
    require(contamination == CONTAMINATION_AUTO || (contamination >= 0 && contamination < 0.5),
        "--contamination must be auto or in [0, 0.5), got " + contamination);
    java.util.Objects.requireNonNull(whitening, "whitening");
  }

  /**
   * {@code train}'s defaults for every setting: the one source of them ({@code train}'s flags, {@code retrain} for
   * what a manifest lacks, the demo and the benchmarks).
   */
  public static TrainingSettings defaults() {
    return new TrainingSettings(Architecture.IMPFLOW, 2, 64, 2, ActivationKind.SIN, 0.97, 1000, AUTO,
        DEFAULT_TIME_BUDGET_SECONDS, AUTO, 1e-3, 10, 0.99, 5, 0.1, 1, WhiteningMethod.ROBUST, 1, CONTAMINATION_AUTO, 0.001,
        1,
        DataType.FLOAT32);
  }

  /** Default wall-time safety stop: far above what the automatic budgets take on a 2-core machine. */
  public static final double DEFAULT_TIME_BUDGET_SECONDS = 1800;

  /**
   * The settings the model of {@code manifest} was trained with: its architecture, and the optimization settings
   * its provenance records (the defaults of {@code train} for any it lacks, e.g. in hand-made artifacts).
   */
  public static TrainingSettings fromManifest(Manifest manifest) {
    FlowSpec spec = manifest.spec();
    Map<String, Object> p = manifest.provenance() == null ? Map.of() : manifest.provenance();
    TrainingSettings d = defaults();
    return new TrainingSettings(spec.architecture(), spec.blocks(), spec.hidden(), spec.layers(), spec.activation(),
        spec.lipschitz(),
        (int) number(p, "epochs_max", d.epochs()), (long) setting(p, "max_steps", d.maxSteps()),
        number(p, "time_budget_seconds", d.timeBudgetSeconds()), (int) setting(p, "batch_size", d.batchSize()),
        number(p, "learning_rate", d.learningRate()), number(p, "grad_clip", d.gradientClip()),
        number(p, "ema_decay", d.emaDecay()), (int) number(p, "patience", d.patience()),
        number(p, "val_fraction", d.validationFraction()), number(p, "feature_scale", d.featureScale()),
        whitening(p.get("whitening")), (int) number(p, "base_components_max", d.baseComponents()),
        "auto".equals(p.get("contamination_setting")) ? CONTAMINATION_AUTO : number(p, "contamination", 0.1),
        manifest.calibration() != null ? manifest.calibration().targetFpr() : number(p, "target_fpr", d.targetFpr()),
        (long) number(p, "seed", d.seed()),
        "float64".equals(p.get("dtype")) ? DataType.FLOAT64 : DataType.FLOAT32);
  }

  /** The provenance's whitening: robust, shrinkage (older artifacts wrote "ledoit-wolf shrinkage"), or none. */
  private static WhiteningMethod whitening(Object recorded) {
    if (recorded == null) {
      return WhiteningMethod.SHRINKAGE;
    }
    String text = recorded.toString();
    if (text.startsWith("robust")) {
      return WhiteningMethod.ROBUST;
    }
    return "none".equals(text) ? WhiteningMethod.NONE : WhiteningMethod.SHRINKAGE;
  }

  /**
   * A setting that may be automatic: the value recorded as requested ({@code <key>_setting}: "auto" or a number),
   * else the resolved value under {@code key} (artifacts written before the requested value was recorded), else
   * {@code fallback}.
   */
  private static double setting(Map<String, Object> provenance, String key, double fallback) {
    Object requested = provenance.get(key + "_setting");
    if ("auto".equals(requested)) {
      return AUTO;
    }
    if (requested instanceof Number n) {
      return n.doubleValue();
    }
    return number(provenance, key, fallback);
  }

  /** The provenance value of a setting that may be automatic: "auto" or the number. */
  static Object recorded(double value) {
    return value == AUTO ? "auto" : value;
  }

  /** A copy with another step budget, time budget and seed (retrain's overrides). */
  public TrainingSettings withBudget(long newMaxSteps, double newTimeBudgetSeconds, long newSeed) {
    return new TrainingSettings(architecture, blocks, hidden, layers, activation, lipschitz, epochs, newMaxSteps,
        newTimeBudgetSeconds, batchSize, learningRate, gradientClip, emaDecay, patience, validationFraction,
        featureScale, whitening, baseComponents, contamination, targetFpr, newSeed, dtype);
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
    // a robust start already leaves the anomalies out, so trimming can start at once; from a start that is every
    // row's Gaussian, a warm-up epoch of plain likelihood first
    int warmup = whitening == WhiteningMethod.ROBUST ? 0 : TRIM_WARMUP_EPOCHS * Math.max(1, (fitRows + batch - 1) / batch);
    TrainingConfig config = new TrainingConfig(epochs, batch, learningRate, gradientClip, emaDecay, patience, seed,
        dtype, maxSteps(fitRows), timeBudgetSeconds, contamination == CONTAMINATION_AUTO ? 0 : contamination,
        warmup);
    FlowSpec spec = new FlowSpec(architecture, data.dimension(), blocks, hidden, layers, activation, lipschitz);
    return new TrainingRun.Request(data, spec, config, validationFraction, targetFpr, device, out, featureScale,
        whitening, baseComponents, contamination == CONTAMINATION_AUTO, this);
  }

  /** The batch size: the given one, or for auto the largest power of two ≤ rows/8 within [32, 256]. */
  int batchSize(int fitRows) {
    if (batchSize > 0) {
      return batchSize;
    }
    int b = Integer.highestOneBit(Math.max(1, fitRows / 8));
    return Math.max(AUTO_BATCH_MIN, Math.min(AUTO_BATCH_MAX, b));
  }

  /**
   * The step budget: the given one, or for auto fitRows / 4 within [50, 2000], so it depends on the data only (the
   * largest bundled set, 28,700 fit rows of shuttle, trains in about two minutes on one core of this project's
   * 2-core reference machine).
   */
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
