package io.impflow.bench.quality;

import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.NonPositiveDefiniteMatrixException;
import org.apache.commons.math3.linear.RealMatrix;

/**
 * A full-covariance multivariate normal fitted by maximum likelihood (mean and covariance divided by n), evaluated
 * exactly in float64 through a Cholesky factor: log N(x) = −½ (d log 2π + log det Σ + ‖L⁻¹(x − μ)‖²).
 */
public final class GaussianDensity {

  /**
   * Relative ridge added to the diagonal (times the mean variance) only when the sample covariance is not
   * positive definite, e.g. a feature that is constant or a linear combination of others in the training rows.
   */
  public static final double SINGULAR_RIDGE = 1e-9;

  private static final double LOG_TWO_PI = Math.log(2 * Math.PI);

  private final double[] mean;
  private final double[][] lower;
  private final double logNormalizer;
  private final double ridge;

  private GaussianDensity(double[] mean, double[][] lower, double ridge) {
    this.mean = mean;
    this.lower = lower;
    this.ridge = ridge;
    double logDet = 0;
    for (int i = 0; i < lower.length; i++) {
      logDet += 2 * Math.log(lower[i][i]);
    }
    this.logNormalizer = -0.5 * (mean.length * LOG_TWO_PI + logDet);
  }

  /**
   * The maximum-likelihood normal of {@code rows} (at least two rows of equal length).
   *
   * @throws IllegalArgumentException when there are fewer than two rows, rows of unequal length, or a covariance
   *     that stays singular even with the ridge
   */
  public static GaussianDensity fit(double[][] rows) {
    if (rows.length < 2) {
      throw new IllegalArgumentException("a Gaussian density needs at least 2 rows, got " + rows.length);
    }
    int d = rows[0].length;
    double[] mean = new double[d];
    for (double[] row : rows) {
      if (row.length != d) {
        throw new IllegalArgumentException("row of length " + row.length + " among rows of length " + d);
      }
      for (int j = 0; j < d; j++) {
        mean[j] += row[j];
      }
    }
    for (int j = 0; j < d; j++) {
      mean[j] /= rows.length;
    }
    double[][] covariance = new double[d][d];
    for (double[] row : rows) {
      for (int i = 0; i < d; i++) {
        double di = row[i] - mean[i];
        for (int j = 0; j <= i; j++) {
          covariance[i][j] += di * (row[j] - mean[j]);
        }
      }
    }
    double trace = 0;
    for (int i = 0; i < d; i++) {
      for (int j = 0; j <= i; j++) {
        covariance[i][j] /= rows.length;
        covariance[j][i] = covariance[i][j];
      }
      trace += covariance[i][i];
    }
    try {
      return new GaussianDensity(mean, cholesky(covariance), 0);
    } catch (NonPositiveDefiniteMatrixException e) {
      double ridge = SINGULAR_RIDGE * Math.max(trace / d, Double.MIN_NORMAL);
      for (int i = 0; i < d; i++) {
        covariance[i][i] += ridge;
      }
      try {
        return new GaussianDensity(mean, cholesky(covariance), ridge);
      } catch (NonPositiveDefiniteMatrixException again) {
        throw new IllegalArgumentException("the covariance of " + rows.length + " rows is singular even with a"
            + " ridge of " + ridge + "; drop constant or duplicated features", again);
      }
    }
  }

  private static double[][] cholesky(double[][] covariance) {
    RealMatrix matrix = MatrixUtils.createRealMatrix(covariance);
    return new CholeskyDecomposition(matrix, CholeskyDecomposition.DEFAULT_RELATIVE_SYMMETRY_THRESHOLD, 0.0)
        .getL().getData();
  }

  /** log N(x; μ, Σ) in nats. */
  public double logDensity(double[] x) {
    int d = mean.length;
    if (x.length != d) {
      throw new IllegalArgumentException("row of length " + x.length + " for a " + d + "-dimensional Gaussian");
    }
    double[] y = new double[d];
    double quadratic = 0;
    for (int i = 0; i < d; i++) {
      double s = x[i] - mean[i];
      double[] li = lower[i];
      for (int j = 0; j < i; j++) {
        s -= li[j] * y[j];
      }
      y[i] = s / li[i];
      quadratic += y[i] * y[i];
    }
    return logNormalizer - 0.5 * quadratic;
  }

  /** The fitted mean (a copy). */
  public double[] mean() {
    return mean.clone();
  }

  /** The ridge that was added to the covariance diagonal, 0 when the sample covariance was positive definite. */
  public double ridge() {
    return ridge;
  }

  /** Number of free parameters: d means and d(d+1)/2 covariances. */
  public static long parameterCount(int dimension) {
    return dimension + (long) dimension * (dimension + 1) / 2;
  }
}
