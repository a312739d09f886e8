package io.impflow.bench.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class GaussianDensityTest {

  /** Correlated 4-d rows: x = A·e + b with standard normal e. */
  private static double[][] correlatedRows(int n, long seed) {
    Random random = new Random(seed);
    double[][] a = {{2, 0, 0, 0}, {0.8, 1.5, 0, 0}, {-0.3, 0.4, 0.7, 0}, {1.1, -0.6, 0.2, 0.3}};
    double[] b = {3, -1, 0.5, 10};
    double[][] rows = new double[n][4];
    for (int i = 0; i < n; i++) {
      double[] e = {random.nextGaussian(), random.nextGaussian(), random.nextGaussian(), random.nextGaussian()};
      for (int r = 0; r < 4; r++) {
        rows[i][r] = b[r];
        for (int c = 0; c < 4; c++) {
          rows[i][r] += a[r][c] * e[c];
        }
      }
    }
    return rows;
  }

  /** Determinant by Laplace expansion along the first row: no factorization shared with the code under test. */
  private static double determinant(double[][] m) {
    int n = m.length;
    if (n == 1) {
      return m[0][0];
    }
    double det = 0;
    for (int c = 0; c < n; c++) {
      double[][] minor = new double[n - 1][n - 1];
      for (int r = 1; r < n; r++) {
        for (int k = 0, j = 0; k < n; k++) {
          if (k != c) {
            minor[r - 1][j++] = m[r][k];
          }
        }
      }
      det += (c % 2 == 0 ? 1 : -1) * m[0][c] * determinant(minor);
    }
    return det;
  }

  /** log N(x) by the textbook formula: covariance by definition, Σ⁻¹v by Cramer's rule, det by Laplace. */
  private static double bruteForceLogDensity(double[][] rows, double[] x) {
    int d = x.length;
    double[] mean = new double[d];
    for (double[] row : rows) {
      for (int j = 0; j < d; j++) {
        mean[j] += row[j] / rows.length;
      }
    }
    double[][] cov = new double[d][d];
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < d; j++) {
        double s = 0;
        for (double[] row : rows) {
          s += (row[i] - mean[i]) * (row[j] - mean[j]);
        }
        cov[i][j] = s / rows.length;
      }
    }
    double det = determinant(cov);
    double[] v = new double[d];
    for (int j = 0; j < d; j++) {
      v[j] = x[j] - mean[j];
    }
    double quadratic = 0;
    for (int k = 0; k < d; k++) {
      double[][] replaced = new double[d][];
      for (int r = 0; r < d; r++) {
        replaced[r] = cov[r].clone();
        replaced[r][k] = v[r];
      }
      quadratic += v[k] * determinant(replaced) / det;
    }
    return -0.5 * (d * Math.log(2 * Math.PI) + Math.log(det) + quadratic);
  }

  @Test
  void logDensityMatchesTheBruteForceFormula() {
    double[][] rows = correlatedRows(300, 7);
    GaussianDensity density = GaussianDensity.fit(rows);
    assertThat(density.ridge()).isZero();
    double[][] points = {rows[0], rows[123], {3, -1, 0.5, 10}, {20, 5, -4, 0}};
    for (double[] x : points) {
      double expected = bruteForceLogDensity(rows, x);
      assertThat(density.logDensity(x)).isCloseTo(expected, within(1e-10 * Math.max(1, Math.abs(expected))));
    }
  }

  @Test
  void oneDimensionalDensityIsTheTextbookNormal() {
    double[][] rows = {{1}, {2}, {4}, {7}};
    double mean = 3.5;
    double variance = (6.25 + 2.25 + 0.25 + 12.25) / 4;
    double x = 5.25;
    double expected = -0.5 * Math.log(2 * Math.PI * variance) - (x - mean) * (x - mean) / (2 * variance);
    assertThat(GaussianDensity.fit(rows).logDensity(new double[] {x})).isCloseTo(expected, within(1e-14));
  }

  @Test
  void farPointsAreLessLikely() {
    GaussianDensity density = GaussianDensity.fit(correlatedRows(300, 8));
    assertThat(density.logDensity(new double[] {3, -1, 0.5, 10}))
        .isGreaterThan(density.logDensity(new double[] {30, -1, 0.5, 10}));
  }

  @Test
  void duplicatedFeatureGetsARidgeInsteadOfFailing() {
    double[][] rows = correlatedRows(100, 9);
    for (double[] row : rows) {
      row[3] = row[0];
    }
    GaussianDensity density = GaussianDensity.fit(rows);
    assertThat(density.ridge()).isPositive();
    assertThat(density.logDensity(rows[5])).isFinite();
  }

  @Test
  void rejectsTooFewRowsAndWrongLengths() {
    assertThatThrownBy(() -> GaussianDensity.fit(new double[][] {{1, 2}}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 2 rows");
    GaussianDensity density = GaussianDensity.fit(correlatedRows(50, 10));
    assertThatThrownBy(() -> density.logDensity(new double[] {1, 2}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4-dimensional");
  }
}
