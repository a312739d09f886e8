package io.impflow.trainer.eval;

import io.impflow.model.DensityModel;
import io.impflow.model.calibration.Calibration;
import io.impflow.model.scoring.BatchScores;
import io.impflow.model.scoring.RowStatus;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Scores many rows with a {@link DensityModel} in bounded chunks and applies its calibration. */
public final class DatasetScorer {

  /** Rows per call into the model: bounds native memory while keeping batches large enough to be efficient. */
  public static final int CHUNK_ROWS = 1024;

  private DatasetScorer() {}

  /**
   * Per-row results of scoring a dataset.
   *
   * @param logLikelihood log p(x) in raw feature space (NaN unless SCORED; −∞ for a row that departs from a feature
   *     that was constant in training)
   * @param residual largest relative solver residual over the blocks
   * @param status per-row outcome
   * @param pValue calibrated tail probability (NaN unless SCORED)
   * @param anomaly calibrated anomaly flag (rows that could not be scored are flagged too)
   * @param constantDeparture per row, the name of the first feature that was constant in training and that the row
   *     departs from (its log-likelihood is then −∞), or {@code null}
   */
  public record ScoredRows(double[] logLikelihood, double[] residual, RowStatus[] status, double[] pValue,
      boolean[] anomaly, String[] constantDeparture) {

    /** Number of rows whose status is not SCORED. */
    public int unscored() {
      int count = 0;
      for (RowStatus s : status) {
        count += s == RowStatus.SCORED ? 0 : 1;
      }
      return count;
    }

    /** Rows that depart from a training-constant feature, counted by that feature's name (sorted by name). */
    public Map<String, Integer> constantDepartures() {
      Map<String, Integer> counts = new TreeMap<>();
      for (String feature : constantDeparture) {
        if (feature != null) {
          counts.merge(feature, 1, Integer::sum);
        }
      }
      return counts;
    }
  }

  /** Scores {@code rows}; {@code calibration} may be {@code null} (then p-values are NaN and nothing is flagged). */
  public static ScoredRows score(DensityModel model, double[][] rows, Calibration calibration) {
    int n = rows.length;
    double[] ll = new double[n];
    double[] residual = new double[n];
    RowStatus[] status = new RowStatus[n];
    double[] pValue = new double[n];
    boolean[] anomaly = new boolean[n];
    String[] departure = new String[n];
    List<String> names = model.featureNames();
    for (int from = 0; from < n; from += CHUNK_ROWS) {
      int to = Math.min(n, from + CHUNK_ROWS);
      double[][] chunk = new double[to - from][];
      System.arraycopy(rows, from, chunk, 0, to - from);
      BatchScores scores = model.score(chunk);
      System.arraycopy(scores.logLikelihood(), 0, ll, from, to - from);
      System.arraycopy(scores.residual(), 0, residual, from, to - from);
      System.arraycopy(scores.status(), 0, status, from, to - from);
      for (int k = 0; k < to - from; k++) {
        int feature = scores.constantDeparture()[k];
        departure[from + k] = feature < 0 ? null : names.get(feature);
      }
    }
    for (int i = 0; i < n; i++) {
      boolean scored = status[i] == RowStatus.SCORED;
      // pValue(−∞) is the calibration's smallest p-value (0 with a fitted tail) and −∞ is below every threshold.
      pValue[i] = calibration == null || !scored ? Double.NaN : calibration.pValue(ll[i]);
      anomaly[i] = calibration != null && (!scored || calibration.isAnomaly(ll[i]));
    }
    return new ScoredRows(ll, residual, status, pValue, anomaly, departure);
  }
}
