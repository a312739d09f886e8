package io.impflow.trainer.fit;

import ai.djl.engine.Engine;
import io.impflow.model.DensityModel;
import io.impflow.model.artifact.ArtifactException;
import io.impflow.model.artifact.ModelArtifact;
import io.impflow.model.calibration.Calibration;
import io.impflow.model.flow.ConstantFeature;
import io.impflow.model.flow.FlowSpec;
import io.impflow.model.flow.GaussianMixture;
import io.impflow.model.flow.InputTransform;
import io.impflow.model.flow.WhiteningMethod;
import io.impflow.model.flow.ZeroVarianceFeatureException;
import io.impflow.model.train.TrainableFlow;
import io.impflow.trainer.data.DataSourceException;
import io.impflow.trainer.data.Dataset;
import io.impflow.trainer.data.RowPermutation;
import io.impflow.trainer.eval.DatasetScorer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One complete training run: hold out validation rows, fit the input transform (constant features set aside,
 * standardization, shrinkage whitening), fit the flow, calibrate the anomaly threshold on the held-out rows, and
 * write the model artifact with its provenance. A feature that is constant in the training rows is not modelled by
 * the flow; the artifact keeps its value and the model scores a row that departs from it as −∞ with the feature
 * named (input positions do not change).
 */
public final class TrainingRun {

  private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);

  /** Fewest training rows accepted. */
  public static final int MIN_ROWS = 10;

  /**
   * What to train.
   *
   * @param data training rows (labels, when present, are ignored for fitting)
   * @param spec the flow architecture (its dimension must equal the data's)
   * @param config optimization settings
   * @param validationFraction share of the rows held out for early stopping and calibration
   * @param targetFpr false-positive rate of the calibrated threshold on held-out rows
   * @param device where to train and why
   * @param out artifact directory to create (must not exist, or be empty)
   * @param featureScale standard deviation of every feature as the flow sees it (1 = unit variance); stored in the
   *     artifact's transform, so scores stay log-densities of raw rows
   * @param whitening how the input transform is estimated from the training rows
   * @param baseComponents most Gaussian components of the base density (chosen on the held-out rows); 1 = the
   *     standard normal
   * @param estimateContamination whether the trimmed share is estimated from the training rows (then the config's
   *     trim fraction is ignored)
   * @param requested the settings as asked for ("auto" values unresolved), recorded in the provenance so a retrain
   *     resolves them again for its own data; null when the request was built without settings
   */
  public record Request(Dataset data, FlowSpec spec, TrainingConfig config, double validationFraction,
      double targetFpr, DeviceOption.DeviceChoice device, Path out, double featureScale, WhiteningMethod whitening,
      int baseComponents, boolean estimateContamination, TrainingSettings requested) {

    /** A request with shrinkage whitening at feature scale 1, a standard normal base and the config's trimming. */
    public Request(Dataset data, FlowSpec spec, TrainingConfig config, double validationFraction, double targetFpr,
        DeviceOption.DeviceChoice device, Path out) {
      this(data, spec, config, validationFraction, targetFpr, device, out, 1.0, WhiteningMethod.SHRINKAGE, 1, false,
          null);
    }

    /** Validates what the types cannot. */
    public Request {
      if (baseComponents < 1) {
        throw new IllegalArgumentException("--base-components must be >= 1, got " + baseComponents);
      }
      if (baseComponents > 1 && (whitening == WhiteningMethod.NONE || featureScale != 1)) {
        // the search compares mixtures with the standard normal, which is the rows' Gaussian only when whitened
        throw new IllegalArgumentException("--base-components > 1 needs --whitening robust or shrinkage and"
            + " --feature-scale 1, got --whitening " + whitening.flag() + " and --feature-scale " + featureScale);
      }
      if (!(featureScale > 0 && Double.isFinite(featureScale))) {
        throw new IllegalArgumentException("--feature-scale must be finite and > 0, got " + featureScale);
      }
      if (!(validationFraction > 0 && validationFraction < 1)) {
        throw new IllegalArgumentException("--val-fraction must be in (0, 1), got " + validationFraction);
      }
      if (!(targetFpr > 0 && targetFpr < 1)) {
        throw new IllegalArgumentException("--target-fpr must be in (0, 1), got " + targetFpr);
      }
      if (spec.dimension() != data.dimension()) {
        throw new IllegalArgumentException("spec dimension " + spec.dimension() + " != data dimension "
            + data.dimension());
      }
    }
  }

  /**
   * What a run produced.
   *
   * @param version the artifact's version id
   * @param training the training outcome
   * @param calibration the calibration written into the artifact
   * @param validation the held-out rows (raw), for reports
   * @param validationLabels their labels, or {@code null}
   * @param validationNll mean NLL of the held-out rows under the exported model (raw feature space)
   */
  public record Outcome(String version, TrainingResult training, Calibration calibration, double[][] validation,
      int[] validationLabels, double validationNll) {}

  private TrainingRun() {}

  /** Runs {@code request}, reporting to {@code progress}; {@code stop} ends training early with the best so far. */
  public static Outcome run(Request request, TrainingProgress progress, StopSignal stop)
      throws DataSourceException, ArtifactException, IOException {
    Dataset data = request.data();
    if (data.size() < MIN_ROWS) {
      throw new DataSourceException(data.origin() + " has " + data.size() + " rows; training needs at least "
          + MIN_ROWS);
    }
    long startNanos = System.nanoTime();
    int[] order = RowPermutation.random(data.size(), new SplittableRandom(request.config().seed()));
    Dataset[] parts = holdOut(data, order, request.validationFraction(), "");
    Dataset train = parts[0];
    Dataset validation = parts[1];

    LOG.info("training {} on {} rows, validating on {} held-out rows; {}", describe(request.spec()),
        train.size(), validation.size(), request.device().reason());
    Fitted fitted = fit(train, validation, request, progress, stop);
    InputTransform transform = fitted.transform();
    FlowSpec flowSpec = fitted.spec();
    GaussianMixture base = fitted.base();
    TrainingResult result = fitted.result();
    if (result.interrupted()) {
      LOG.warn("interrupted: writing the best model so far (epoch {}, validation NLL {})", result.bestEpoch(),
          String.format(Locale.ROOT, "%.4f", result.bestValidationNll()));
    }

    double[] heldOutLl = heldOutLogLikelihood(fitted, data, validation.rows());
    double validationNll = -mean(heldOutLl);
    String calibratedOn = "held-out rows (" + heldOutLl.length + ")";
    double[] calibrationLl = heldOutLl;
    if (heldOutLl.length < CROSS_FIT_BELOW && data.size() >= Calibration.MIN_TAIL_SAMPLES
        && !result.interrupted() && !stop.isRequested()) {
      calibrationLl = crossFittedLogLikelihood(data, request, stop);
      calibratedOn = "cross-fitted scores of every row (" + CROSS_FIT_FOLDS + " folds, " + calibrationLl.length
          + " rows)";
    }
    Calibration calibration = calibrate(calibrationLl, request.targetFpr());
    Map<String, Object> provenance = provenance(request, train, validation, result, validationNll,
        fitted.contamination(), startNanos);
    provenance.put("calibrated_on", calibratedOn);
    // held-out rows that depart from a constant feature are flagged by any threshold; the FPR on fresh normal data
    // is at least their share on top of the target
    provenance.put("validation_constant_departures",
        Arrays.stream(heldOutLl).filter(ll -> ll == Double.NEGATIVE_INFINITY).count());
    String version = ModelArtifact.write(request.out(), flowSpec, result.bestWeights(), transform, base,
        data.featureNames(), calibration, provenance);
    LOG.info("wrote model {} to {} (validation NLL {} nats, threshold log-likelihood {} at target FPR {})",
        version, request.out(), String.format(Locale.ROOT, "%.4f", validationNll),
        String.format(Locale.ROOT, "%.4f", calibration.threshold()), request.targetFpr());
    return new Outcome(version, result, calibration, validation.rows(), validation.labels(), validationNll);
  }

  /**
   * Splits the rows {@code order} lists (a random order) into training and validation rows: the first
   * {@code fraction} of them, at least 2, are held out; both parts keep the data's row order.
   *
   * @return {training rows, validation rows}
   */
  private static Dataset[] holdOut(Dataset data, int[] order, double fraction, String label) {
    int validationCount = Math.max(2, (int) Math.round(fraction * order.length));
    int[] validationIndex = Arrays.copyOfRange(order, 0, validationCount);
    int[] trainIndex = Arrays.copyOfRange(order, validationCount, order.length);
    Arrays.sort(validationIndex);
    Arrays.sort(trainIndex);
    return new Dataset[] {data.select(trainIndex, data.origin() + " (" + label + "training rows)"),
        data.select(validationIndex, data.origin() + " (" + label + "validation rows)")};
  }

  /** Folds of the cross-fitted calibration. */
  static final int CROSS_FIT_FOLDS = 5;

  /**
   * Fewest held-out rows calibrated on directly; with fewer (and at least {@link Calibration#MIN_TAIL_SAMPLES} rows
   * in all) the calibration is cross-fitted. The threshold at a 0.1 % target is extrapolated by a generalized Pareto
   * tail fitted to the top tenth of the calibration scores, and fewer than 100 of them do not pin its shape down:
   * satellite clean, seed 1, calibrated on its 308 held-out rows (30 in the tail, fitted shape −0.02) flagged 1.8 %
   * of its training rows and 2.6 % of fresh normal rows at a 0.1 % target.
   */
  static final int CROSS_FIT_BELOW = 1000;

  /**
   * A fitted model before export: input transform, flow architecture, base density, training outcome, and the
   * trimmed share it was fitted with.
   */
  private record Fitted(InputTransform transform, FlowSpec spec, GaussianMixture base, TrainingResult result,
      double contamination) {}

  /** Fits the input transform, the base density and the flow on {@code train}, early-stopping on {@code validation}. */
  private static Fitted fit(Dataset train, Dataset validation, Request request, TrainingProgress progress,
      StopSignal stop) throws DataSourceException {
    InputTransform transform = inputTransform(train, request);
    FlowSpec flowSpec = request.spec().withDimension(transform.flowDimension());
    double[][] trainStd = transformed(train.rows(), transform);
    double[][] validationStd = transformed(validation.rows(), transform);
    TrainingConfig config = request.config();
    if (request.estimateContamination()) {
      double[][] standardized = new double[train.size()][];
      for (int i = 0; i < standardized.length; i++) {
        standardized[i] = transform.standardize(train.rows()[i]);
      }
      double estimate = ContaminationEstimate.of(standardized, config.seed());
      LOG.info("contamination auto: {} of the training rows lie beyond their robust Gaussian's 97.5 % distance in"
          + " excess of its 2.5 %, so the least likely {} of every batch are left out of the loss",
          String.format(Locale.ROOT, "%.4f", estimate), String.format(Locale.ROOT, "%.4f", estimate));
      config = config.withTrimFraction(estimate);
    }
    GaussianMixture base = MixtureBaseSelection.select(trainStd, validationStd, request.baseComponents(),
        config.seed(), config.trimFraction());
    try (TrainableFlow flow = TrainableFlow.create(flowSpec, config.seed(), request.device().device(),
        config.dtype())) {
      flow.setBase(base);
      TrainingResult result = new FlowTrainer(config, progress).train(flow, trainStd, validationStd, stop);
      return new Fitted(transform, flowSpec, base, result, config.trimFraction());
    }
  }

  /**
   * Out-of-fold log-likelihoods of every row, for a calibration on more rows than the held-out part has: the rows
   * are split into {@link #CROSS_FIT_FOLDS} folds, and each fold is scored by a model fitted exactly like the
   * exported one (same settings, its own hold-out for early stopping) on the other folds. Used when the held-out
   * part is too small for a reliable tail fit ({@link #CROSS_FIT_BELOW}); it costs that many extra trainings.
   */
  private static double[] crossFittedLogLikelihood(Dataset data, Request request, StopSignal stop)
      throws DataSourceException, ArtifactException, IOException {
    int n = data.size();
    int[] order = RowPermutation.random(n, new SplittableRandom(request.config().seed() * 0x9E3779B97F4A7C15L + 7));
    double[] ll = new double[n];
    for (int fold = 0; fold < CROSS_FIT_FOLDS; fold++) {
      final int f = fold;
      int[] scored = java.util.stream.IntStream.range(0, n).filter(i -> i % CROSS_FIT_FOLDS == f)
          .map(i -> order[i]).sorted().toArray();
      int[] rest = java.util.stream.IntStream.range(0, n).filter(i -> i % CROSS_FIT_FOLDS != f).map(i -> order[i])
          .toArray();
      Dataset[] parts = holdOut(data, rest, request.validationFraction(), "fold " + fold + " ");
      Fitted fitted = fit(parts[0], parts[1], request, TrainingProgress.silent(), stop);
      double[][] rows = new double[scored.length][];
      for (int k = 0; k < scored.length; k++) {
        rows[k] = data.rows()[scored[k]];
      }
      double[] foldLl = heldOutLogLikelihood(fitted, data, rows);
      for (int k = 0; k < scored.length; k++) {
        ll[scored[k]] = foldLl[k];
      }
    }
    LOG.info("calibrating on cross-fitted scores of all {} rows ({} folds): the held-out part alone is too small for"
        + " a reliable tail fit", n, CROSS_FIT_FOLDS);
    return ll;
  }

  /** Constant features set aside (and logged by name), the rest standardized and, by default, whitened. */
  private static InputTransform inputTransform(Dataset train, Request request) throws DataSourceException {
    InputTransform transform;
    try {
      transform = InputTransform.fit(train.rows(), train.featureNames(), request.featureScale(), request.whitening(),
          request.config().seed());
    } catch (ZeroVarianceFeatureException e) {
      throw new DataSourceException("every feature is constant in the training rows of " + train.origin()
          + ", so there is no density to learn; provide rows where at least one feature varies");
    } catch (IllegalArgumentException e) {
      throw new DataSourceException("the training rows of " + train.origin() + " have no usable covariance ("
          + e.getMessage() + "); drop duplicated or derived columns, or train with --whitening none");
    }
    for (ConstantFeature c : transform.constants()) {
      LOG.warn("feature '{}' (column {}) is {} in every training row: the flow models the other features, and a"
          + " record with another value there scores log-likelihood -Infinity with this feature named", c.name(),
          c.index() + 1, c.value());
    }
    return transform;
  }

  /** Threshold and p-value table from the held-out rows' log-likelihoods under the model as it will be exported. */
  private static Calibration calibrate(double[] ll, double targetFpr) throws DataSourceException {
    double[] finite = Arrays.stream(ll).filter(Double::isFinite).toArray();
    if (finite.length < ll.length) {
      LOG.warn("{} of {} held-out rows could not be scored (or depart from a constant feature) and are left out of the calibration",
          ll.length - finite.length, ll.length);
    }
    if (finite.length < 2) {
      throw new DataSourceException("only " + finite.length + " held-out rows could be scored; calibration needs"
          + " at least 2 (raise --val-fraction or provide more rows)");
    }
    Calibration calibration = Calibration.fit(finite, targetFpr);
    if (calibration.tail() == null && targetFpr * finite.length < 3) {
      // measured: 35-44 held-out rows at --target-fpr 0.001 gave test false-positive rates of 1-5 %
      LOG.warn("--target-fpr {} asks for the 1-in-{} quantile of the held-out scores, but only {} held-out rows"
          + " could calibrate it (a fitted tail needs {}): the threshold is near the most extreme held-out row and"
          + " fresh normal data will be flagged more often than the target; raise --val-fraction, train on more"
          + " rows, or choose a --target-fpr of at least {}", targetFpr, Math.round(1 / targetFpr), finite.length,
          Calibration.MIN_TAIL_SAMPLES, String.format(Locale.ROOT, "%.3f", 3.0 / finite.length));
    }
    return calibration;
  }

  /**
   * Log-likelihoods of the held-out rows under the exported model: the export rescales weights by their exact
   * singular values, so they are scored through a temporary artifact with the scoring code path itself.
   */
  private static double[] heldOutLogLikelihood(Fitted fitted, Dataset data, double[][] validation)
      throws ArtifactException, IOException {
    Path scratch = Files.createTempDirectory("impflow-calibration");
    try {
      Path dir = scratch.resolve("model");
      ModelArtifact.write(dir, fitted.spec(), fitted.result().bestWeights(), fitted.transform(), fitted.base(),
          data.featureNames(), null, Map.of("purpose", "calibration scratch copy"));
      try (DensityModel model = DensityModel.load(dir)) {
        return DatasetScorer.score(model, validation, null).logLikelihood();
      }
    } finally {
      deleteRecursively(scratch);
    }
  }

  private static Map<String, Object> provenance(Request request, Dataset train, Dataset validation,
      TrainingResult result, double validationNll, double contamination, long startNanos) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("data_origin", request.data().origin());
    p.put("data_sha256", request.data().sha256());
    p.put("rows", request.data().size());
    p.put("rows_train", train.size());
    p.put("rows_validation", validation.size());
    p.put("seed", request.config().seed());
    p.put("epochs_max", request.config().epochs());
    p.put("epochs_run", result.history().size());
    p.put("best_epoch", result.bestEpoch());
    p.put("steps", result.steps());
    p.put("stopped_early", result.stoppedEarly());
    p.put("interrupted", result.interrupted());
    p.put("validation_nll", validationNll);
    p.put("validation_nll_standardized", result.bestValidationNll());
    p.put("batch_size", request.config().batchSize());
    p.put("learning_rate", request.config().learningRate());
    p.put("grad_clip", request.config().gradientClipNorm());
    p.put("ema_decay", request.config().emaDecay());
    p.put("patience", request.config().patience());
    p.put("val_fraction", request.validationFraction());
    p.put("feature_scale", request.featureScale());
    p.put("whitening", switch (request.whitening()) {
      case ROBUST -> "robust (reweighted FastMCD, then Ledoit-Wolf shrinkage of the rows it keeps)";
      case SHRINKAGE -> "ledoit-wolf shrinkage";
      case NONE -> "none";
    });
    p.put("base_components_max", request.baseComponents());
    p.put("target_fpr", request.targetFpr());
    p.put("contamination", contamination);
    p.put("contamination_setting", request.estimateContamination() ? "auto" : request.config().trimFraction());
    if (request.requested() != null) {
      p.put("batch_size_setting", TrainingSettings.recorded(request.requested().batchSize()));
      p.put("max_steps_setting", TrainingSettings.recorded(request.requested().maxSteps()));
    }
    if (request.config().maxSteps() < Long.MAX_VALUE) {
      p.put("max_steps", request.config().maxSteps());
    }
    if (Double.isFinite(request.config().timeBudgetSeconds())) {
      p.put("time_budget_seconds", request.config().timeBudgetSeconds());
    }
    p.put("dtype", request.config().dtype().toString().toLowerCase(Locale.ROOT));
    p.put("device", request.device().device().toString());
    p.put("device_reason", request.device().reason());
    p.put("training_seconds", result.wallSeconds());
    p.put("wall_time_seconds", (System.nanoTime() - startNanos) / 1e9);
    Map<String, Object> versions = new LinkedHashMap<>();
    versions.put("impflow", impflowVersion());
    versions.put("djl", Engine.getDjlVersion());
    versions.put("engine", Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion());
    versions.put("java", System.getProperty("java.version"));
    p.put("versions", versions);
    return p;
  }

  /** The project version this trainer was built as. */
  public static String impflowVersion() {
    try (InputStream in = TrainingRun.class.getResourceAsStream("/io/impflow/trainer/version.properties")) {
      Properties properties = new Properties();
      if (in != null) {
        properties.load(in);
      }
      return properties.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String describe(FlowSpec spec) {
    return String.format(Locale.ROOT, "%s: %d block(s), g = %d-%s-%d, %s, c = %s",
        spec.architecture().toString().toLowerCase(Locale.ROOT), spec.blocks(), spec.dimension(),
        String.join("-", java.util.Collections.nCopies(spec.layers(), String.valueOf(spec.hidden()))),
        spec.dimension(), spec.activation().toString().toLowerCase(Locale.ROOT), spec.lipschitz());
  }

  private static double[][] transformed(double[][] rows, InputTransform transform) {
    double[][] out = new double[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      out[i] = transform.apply(rows[i]);
    }
    return out;
  }


  private static double mean(double[] values) {
    return Arrays.stream(values).filter(Double::isFinite).average().orElse(Double.NaN);
  }

  private static void deleteRecursively(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
