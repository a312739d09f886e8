package io.impflow.job.scoring;

import io.impflow.job.config.JobConfigException;
import io.impflow.model.DensityModel;
import io.impflow.model.calibration.Calibration;
import io.impflow.model.store.ModelLocationPolicy;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;

/**
 * What each scoring subtask needs to build its scorer: the model artifact, the feature names it was checked
 * against at start-up, the threshold override, the micro-batch limits, and where announced models may come from.
 */
public final class ScoringSettings implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String modelPath;
  private final List<String> featureNames;
  private final Double thresholdOverride;
  private final int batchSize;
  private final long batchTimeoutMillis;
  private final ModelLocationPolicy modelLocations;

  /**
   * Settings for a model with the given feature names, accepting announced models under the parent directory of
   * {@code modelPath} (the job's default {@code --model-root}).
   *
   * @param thresholdOverride log-likelihood threshold replacing the artifact's, or null to use the artifact's
   */
  public ScoringSettings(String modelPath, List<String> featureNames, Double thresholdOverride, int batchSize,
      long batchTimeoutMillis) {
    this(modelPath, featureNames, thresholdOverride, batchSize, batchTimeoutMillis,
        ModelLocationPolicy.of(List.of(Path.of(modelPath).toAbsolutePath().getParent().toString())));
  }

  /**
   * Settings for a model with the given feature names.
   *
   * @param thresholdOverride log-likelihood threshold replacing the artifact's, or null to use the artifact's
   * @param modelLocations where the artifacts of model updates may be loaded from
   */
  public ScoringSettings(String modelPath, List<String> featureNames, Double thresholdOverride, int batchSize,
      long batchTimeoutMillis, ModelLocationPolicy modelLocations) {
    if (batchSize < 1 || batchTimeoutMillis < 1) {
      throw new IllegalArgumentException("batch size and timeout must be ≥ 1, got " + batchSize + " and "
          + batchTimeoutMillis + " ms");
    }
    this.modelPath = modelPath;
    this.featureNames = List.copyOf(featureNames);
    this.thresholdOverride = thresholdOverride;
    this.batchSize = batchSize;
    this.batchTimeoutMillis = batchTimeoutMillis;
    this.modelLocations = modelLocations;
  }

  /** Where the artifacts of model updates may be loaded from. */
  public ModelLocationPolicy modelLocations() {
    return modelLocations;
  }

  /** The model artifact directory. */
  public String modelPath() {
    return modelPath;
  }

  /** The model's feature names as checked at start-up. */
  public List<String> featureNames() {
    return featureNames;
  }

  /** Records per micro-batch. */
  public int batchSize() {
    return batchSize;
  }

  /** Longest wait before a partial micro-batch is scored, in processing-time milliseconds. */
  public long batchTimeoutMillis() {
    return batchTimeoutMillis;
  }

  /**
   * The false-positive rate the threshold in use stands for: the artifact's calibrated target, or with a threshold
   * override the calibration's tail probability at that threshold; NaN for an uncalibrated model.
   */
  public double targetFpr(DensityModel model) {
    Calibration calibration = model.calibration().orElse(null);
    if (calibration == null) {
      return Double.NaN;
    }
    return thresholdOverride == null ? calibration.targetFpr() : calibration.pValue(thresholdOverride);
  }

  /**
   * The router for this model: the override threshold if given, else the artifact's calibrated one.
   *
   * @throws JobConfigException if neither exists
   */
  public ScoredBatchRouter router(DensityModel model) {
    Calibration calibration = model.calibration().orElse(null);
    double threshold;
    if (thresholdOverride != null) {
      threshold = thresholdOverride;
    } else if (calibration != null) {
      threshold = calibration.threshold();
    } else {
      throw new JobConfigException("model " + model.version() + " at " + modelPath + " is not calibrated: pass"
          + " --threshold LOG_LIKELIHOOD, or retrain it with './impflow train', which calibrates on held-out rows");
    }
    return new ScoredBatchRouter(model.version(), model.featureNames(), threshold, calibration);
  }
}
