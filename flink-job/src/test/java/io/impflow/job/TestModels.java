package io.impflow.job;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.impflow.model.DensityModel;
import io.impflow.model.artifact.ModelArtifact;
import io.impflow.model.calibration.Calibration;
import io.impflow.model.flow.ActivationKind;
import io.impflow.model.flow.Architecture;
import io.impflow.model.flow.ConstantFeature;
import io.impflow.model.flow.FlowSpec;
import io.impflow.model.flow.InputTransform;
import io.impflow.model.flow.Standardization;
import io.impflow.model.train.FlowWeights;
import io.impflow.model.train.TrainableFlow;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * Small real model artifacts for the job's tests: a seeded random-weight ImpFlow (real DJL, real artifact format)
 * over four sensor features (and a variant with a fifth feature that was constant in training), standardized on and
 * calibrated against sampled normal rows.
 */
public final class TestModels {
  /** The test model's features, in column order. */
  public static final List<String> FEATURES = List.of("temperature", "humidity", "pressure", "count");
  /** {@link #FEATURES} with a {@code firmware} feature in third place, constant in the training rows. */
  public static final List<String> FEATURES_WITH_CONSTANT =
      List.of("temperature", "humidity", "firmware", "pressure", "count");
  /** The firmware value of every training row of the constant-feature model. */
  public static final double FIRMWARE = 3.0;
  private static final int FIRMWARE_INDEX = 2;

  private static final double[] MEAN = {21.0, 0.45, 1013.0, 50.0};
  private static final double[] SCALE = {2.0, 0.05, 8.0, 7.0};
  /** How far (in standard deviations) an injected anomaly sits from the mean on every feature. */
  private static final double ANOMALY_SIGMAS = 9.0;

  private TestModels() {}

  /** Rows drawn from the "normal" distribution the model is standardized on. */
  public static double[][] normalRows(int n, Random random) {
    double[][] rows = new double[n][];
    for (int i = 0; i < n; i++) {
      rows[i] = normalRow(random);
    }
    return rows;
  }

  /** One normal row. */
  public static double[] normalRow(Random random) {
    double[] row = new double[MEAN.length];
    for (int j = 0; j < row.length; j++) {
      row[j] = MEAN[j] + SCALE[j] * random.nextGaussian();
    }
    return row;
  }

  /** A row of "normal" behaviour that has moved by {@code sigmas} standard deviations on every feature. */
  public static double[] shiftedRow(Random random, double sigmas) {
    double[] row = normalRow(random);
    for (int j = 0; j < row.length; j++) {
      row[j] += sigmas * SCALE[j];
    }
    return row;
  }

  /** A row far out in the tails of every feature: well below any sensible threshold. */
  public static double[] anomalousRow(Random random) {
    double[] row = new double[MEAN.length];
    for (int j = 0; j < row.length; j++) {
      double sign = random.nextBoolean() ? 1 : -1;
      row[j] = MEAN[j] + sign * SCALE[j] * (ANOMALY_SIGMAS + random.nextDouble());
    }
    return row;
  }

  /**
   * Writes a calibrated artifact to {@code dir/model} (1 % target false-positive rate on held-out normal rows) and
   * returns its directory.
   */
  public static Path writeCalibratedModel(Path dir, long seed) throws Exception {
    Random random = new Random(seed);
    InputTransform transform = InputTransform.standardizationOnly(Standardization.fit(normalRows(2000, random)));
    return writeCalibrated(dir, seed, random, transform, FEATURES, row -> row);
  }

  /**
   * Writes a calibrated artifact over {@link #FEATURES_WITH_CONSTANT} whose {@code firmware} feature was
   * {@link #FIRMWARE} in every training row (the flow models the other four), to {@code dir/model}, and returns its
   * directory. Rows for it: {@link #withFirmware}.
   */
  public static Path writeCalibratedModelWithConstantFeature(Path dir, long seed) throws Exception {
    Random random = new Random(seed);
    InputTransform transform = new InputTransform(FEATURES_WITH_CONSTANT.size(),
        List.of(new ConstantFeature(FIRMWARE_INDEX, "firmware", FIRMWARE)),
        Standardization.fit(normalRows(2000, random)), null);
    return writeCalibrated(dir, seed, random, transform, FEATURES_WITH_CONSTANT, row -> withFirmware(row, FIRMWARE));
  }

  /** A four-feature row with a firmware value inserted at {@link #FIRMWARE_INDEX}. */
  public static double[] withFirmware(double[] row, double firmware) {
    double[] out = new double[row.length + 1];
    System.arraycopy(row, 0, out, 0, FIRMWARE_INDEX);
    out[FIRMWARE_INDEX] = firmware;
    System.arraycopy(row, FIRMWARE_INDEX, out, FIRMWARE_INDEX + 1, row.length - FIRMWARE_INDEX);
    return out;
  }

  /** A random-weight flow over the transform's varying features, calibrated on held-out normal rows. */
  private static Path writeCalibrated(Path dir, long seed, Random random, InputTransform transform,
      List<String> names, UnaryOperator<double[]> rowOf) throws Exception {
    FlowSpec spec = new FlowSpec(Architecture.IMPFLOW, transform.flowDimension(), 2, 16, 1, ActivationKind.LIPSWISH,
        0.9);
    Map<String, Object> provenance = Map.of("purpose", "flink-job tests: random weights", "seed", seed);
    FlowWeights weights;
    try (TrainableFlow flow = TrainableFlow.create(spec, seed, Device.cpu(), DataType.FLOAT64)) {
      weights = flow.snapshot();
    }
    Path uncalibrated = dir.resolve("uncalibrated");
    ModelArtifact.write(uncalibrated, spec, weights, transform, null, names, null, provenance);
    double[][] heldOutRows = normalRows(1000, random);
    for (int i = 0; i < heldOutRows.length; i++) {
      heldOutRows[i] = rowOf.apply(heldOutRows[i]);
    }
    double[] heldOut;
    try (DensityModel model = DensityModel.load(uncalibrated)) {
      heldOut = model.score(heldOutRows).logLikelihood();
    }
    Path calibrated = dir.resolve("model");
    ModelArtifact.write(calibrated, spec, weights, transform, null, names, Calibration.fit(heldOut, 0.01),
        provenance);
    return calibrated;
  }
}
