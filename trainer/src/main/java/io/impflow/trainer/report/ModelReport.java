package io.impflow.trainer.report;

import io.impflow.model.DensityModel;
import io.impflow.model.calibration.Calibration;
import io.impflow.trainer.eval.DatasetScorer;
import io.impflow.trainer.eval.RankingMetrics;
import io.impflow.trainer.fit.EpochStats;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The report a command writes with {@code --report DIR}: which charts, from which rows and scores. */
public final class ModelReport {

  private static final Logger LOG = LoggerFactory.getLogger(ModelReport.class);

  /** Grid points per axis of the 2D density heat-map. */
  static final int GRID = 90;
  /** Model samples drawn on the heat-map. */
  static final int SAMPLES = 1500;

  private ModelReport() {}

  /**
   * Training report: curves, the held-out rows' score histogram (split by label when labelled) with the
   * threshold, their ROC curve when both classes are present, and for 2D data the density heat-map.
   */
  public static List<Path> training(Path directory, List<EpochStats> history, int bestEpoch, DensityModel model,
      double[][] heldOut, int[] heldOutLabels, double[][] trainingRows) throws IOException {
    ReportWriter writer = new ReportWriter(directory);
    List<Path> written = new ArrayList<>();
    if (!history.isEmpty()) {
      written.add(writer.trainingCurves(history, bestEpoch));
    }
    written.addAll(scores(writer, model, heldOut, heldOutLabels));
    written.addAll(heatmap(writer, model, trainingRows));
    return written;
  }

  /** Evaluation report: score histogram with the threshold, ROC curve when labelled, heat-map for 2D data. */
  public static List<Path> evaluation(Path directory, DensityModel model, double[][] rows, int[] labels)
      throws IOException {
    ReportWriter writer = new ReportWriter(directory);
    List<Path> written = new ArrayList<>(scores(writer, model, rows, labels));
    written.addAll(heatmap(writer, model, rows));
    return written;
  }

  private static List<Path> scores(ReportWriter writer, DensityModel model, double[][] rows, int[] labels)
      throws IOException {
    Calibration calibration = model.calibration().orElse(null);
    DatasetScorer.ScoredRows scored = DatasetScorer.score(model, rows, calibration);
    double[] score = Arrays.stream(scored.logLikelihood())
        .map(ll -> Double.isNaN(ll) ? Double.POSITIVE_INFINITY : -ll).toArray();
    List<Path> written = new ArrayList<>();
    double threshold = calibration == null ? Double.NaN : -calibration.threshold();
    written.add(writer.scoreHistogram(score, labels, threshold));
    if (labels != null) {
      double auroc = RankingMetrics.auroc(score, labels);
      if (Double.isFinite(auroc)) {
        written.add(writer.rocCurve(score, labels, auroc));
      }
    }
    return written;
  }

  private static List<Path> heatmap(ReportWriter writer, DensityModel model, double[][] rows) throws IOException {
    if (model.dimension() != 2) {
      return List.of();
    }
    double[] xs = axis(rows, 0);
    double[] ys = axis(rows, 1);
    double[][] grid = new double[GRID * GRID][];
    for (int i = 0; i < GRID; i++) {
      for (int j = 0; j < GRID; j++) {
        grid[i * GRID + j] = new double[] {xs[i], ys[j]};
      }
    }
    double[] ll = DatasetScorer.score(model, grid, null).logLikelihood();
    double[][] logDensity = new double[GRID][GRID];
    for (int i = 0; i < GRID; i++) {
      for (int j = 0; j < GRID; j++) {
        logDensity[i][j] = ll[i * GRID + j];
      }
    }
    double[][] samples = model.sample(SAMPLES, 0L);
    LOG.debug("heat-map over [{}, {}] x [{}, {}]", xs[0], xs[GRID - 1], ys[0], ys[GRID - 1]);
    return List.of(writer.densityHeatmap(model.featureNames(), xs, ys, logDensity, samples));
  }

  /** Grid coordinates spanning the 0.5–99.5 % range of a column, widened by 15 % on each side. */
  private static double[] axis(double[][] rows, int column) {
    double[] values = Arrays.stream(rows).mapToDouble(r -> r[column]).sorted().toArray();
    double lo = values[(int) Math.floor(0.005 * (values.length - 1))];
    double hi = values[(int) Math.ceil(0.995 * (values.length - 1))];
    double margin = 0.15 * Math.max(hi - lo, 1e-6);
    double[] axis = new double[GRID];
    for (int i = 0; i < GRID; i++) {
      axis[i] = lo - margin + (hi - lo + 2 * margin) * i / (GRID - 1);
    }
    return axis;
  }
}
