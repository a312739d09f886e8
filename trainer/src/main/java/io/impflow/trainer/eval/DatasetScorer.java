package io.impflow.trainer.eval;

import io.impflow.model.DensityModel;
import io.impflow.model.calibration.Calibration;
import io.impflow.model.scoring.BatchScores;
import io.impflow.model.scoring.RowStatus;

/** Scores many rows with a {@link DensityModel} in bounded chunks and applies its calibration. */
public final class DatasetScorer {

  /** Rows per call into the model: bounds native memory while keeping batches large enough to be efficient. */
  public static final int CHUNK_ROWS = 1024;

  private DatasetScorer() {}

  /**
   * Per-row results of scoring a dataset.
   *
   * @param logLikelihood log p(x) in raw feature space (NaN unless SCORED)
   * @param residual largest relative solver residual over the blocks
   * @param status per-row outcome
   * @param pValue calibrated tail probability (NaN unless SCORED)
   * @param anomaly calibrated anomaly flag (rows that could not be scored are flagged too)
   */
  public record ScoredRows(double[] logLikelihood, double[] residual, RowStatus[] status, double[] pValue,
      boolean[] anomaly) {

    /** Number of rows whose status is not SCORED. */
    public int unscored() {
      int count = 0;
      for (RowStatus s : status) {
        count += s == RowStatus.SCORED ? 0 : 1;
      }
      return count;
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
    for (int from = 0; from < n; from += CHUNK_ROWS) {
      int to = Math.min(n, from + CHUNK_ROWS);
      double[][] chunk = new double[to - from][];
      System.arraycopy(rows, from, chunk, 0, to - from);
      BatchScores scores = model.score(chunk);
      System.arraycopy(scores.logLikelihood(), 0, ll, from, to - from);
      System.arraycopy(scores.residual(), 0, residual, from, to - from);
      System.arraycopy(scores.status(), 0, status, from, to - from);
    }
    for (int i = 0; i < n; i++) {
      boolean scored = status[i] == RowStatus.SCORED;
      pValue[i] = calibration == null || !scored ? Double.NaN : calibration.pValue(ll[i]);
      anomaly[i] = calibration != null && (!scored || calibration.isAnomaly(ll[i]));
    }
    return new ScoredRows(ll, residual, status, pValue, anomaly);
  }
}
