package io.impflow.job.scoring;

import io.impflow.model.DensityModel;
import io.impflow.model.flow.Standardization;
import io.impflow.model.scoring.BatchScores;
import io.impflow.model.scoring.RowStatus;
import java.util.function.Function;

/**
 * Per-feature attribution of many raw rows from one scoring call: the central finite differences of
 * {@link DensityModel#attribution(double[])} (d log p / d standardized feature, step
 * {@link DensityModel#ATTRIBUTION_STEP}), with the 2d probes of every row scored together in one batch.
 */
public final class BatchedAttribution {
  private static final double STEP = DensityModel.ATTRIBUTION_STEP;

  private final double[] mean;
  private final double[] scale;

  /** Attribution in the standardized coordinates of {@code standardization}. */
  public BatchedAttribution(Standardization standardization) {
    this.mean = standardization.mean();
    this.scale = standardization.scale();
  }

  /**
   * The attributions of {@code rawRows}, scoring all their probes with one call of {@code scorer}.
   *
   * @param rawRows finite rows of length d (rows the model scored)
   * @param scorer raw rows to their exact log-likelihoods, e.g. {@link DensityModel#score(double[][])}
   * @return per row, the d partial derivatives; {@code null} for a row some of whose probes the model could not
   *     score (the solve did not converge next to it)
   */
  public double[][] of(double[][] rawRows, Function<double[][], BatchScores> scorer) {
    int d = mean.length;
    double[][] probes = new double[2 * d * rawRows.length][];
    for (int i = 0; i < rawRows.length; i++) {
      double[] row = rawRows[i];
      if (row.length != d) {
        throw new IllegalArgumentException("attribution needs rows of length " + d + ", row " + i + " has "
            + row.length);
      }
      for (int j = 0; j < d; j++) {
        double u = (row[j] - mean[j]) / scale[j];
        probes[2 * (i * d + j)] = probe(row, j, u + STEP);
        probes[2 * (i * d + j) + 1] = probe(row, j, u - STEP);
      }
    }
    double[][] attributions = new double[rawRows.length][];
    if (probes.length == 0) {
      return attributions;
    }
    BatchScores scores = scorer.apply(probes);
    double[] ll = scores.logLikelihood();
    RowStatus[] status = scores.status();
    for (int i = 0; i < rawRows.length; i++) {
      double[] gradient = new double[d];
      for (int j = 0; j < d && gradient != null; j++) {
        int plus = 2 * (i * d + j);
        if (status[plus] != RowStatus.SCORED || status[plus + 1] != RowStatus.SCORED) {
          gradient = null;
        } else {
          gradient[j] = (ll[plus] - ll[plus + 1]) / (2 * STEP);
        }
      }
      attributions[i] = gradient;
    }
    return attributions;
  }

  /** {@code row} with feature j moved to standardized value {@code u}; the other features unchanged. */
  private double[] probe(double[] row, int j, double u) {
    double[] probe = row.clone();
    probe[j] = mean[j] + u * scale[j];
    return probe;
  }
}
