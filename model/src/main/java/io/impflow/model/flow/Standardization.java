package io.impflow.model.flow;

import java.util.Arrays;

/**
 * Per-feature affine standardization u = (x − mean) / scale fitted on training data.
 *
 * @param mean per-feature mean
 * @param scale per-feature standard deviation (sample, n − 1), all &gt; 0
 */
public record Standardization(double[] mean, double[] scale) {

    /** Validates lengths and positivity. */
    public Standardization {
        if (mean.length != scale.length || mean.length == 0) {
            throw new IllegalArgumentException("mean and scale must have the same non-zero length, got "
                    + mean.length + " and " + scale.length);
        }
        for (int j = 0; j < scale.length; j++) {
            if (!(scale[j] > 0) || !Double.isFinite(scale[j]) || !Double.isFinite(mean[j])) {
                throw new IllegalArgumentException("feature " + j + ": mean " + mean[j] + ", scale " + scale[j]
                        + " (scale must be finite and > 0)");
            }
        }
        mean = mean.clone();
        scale = scale.clone();
    }

    /**
     * Fits mean and sample standard deviation per column.
     *
     * @param rows training rows, at least 2, all of equal length and finite
     * @return the standardization
     * @throws ZeroVarianceFeatureException naming the first constant column
     */
    public static Standardization fit(double[][] rows) {
        if (rows.length < 2) {
            throw new IllegalArgumentException("standardization needs at least 2 rows, got " + rows.length);
        }
        int d = rows[0].length;
        double[] mean = new double[d];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != d) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " features, expected " + d);
            }
            for (int j = 0; j < d; j++) {
                if (!Double.isFinite(rows[i][j])) {
                    throw new IllegalArgumentException("row " + i + ", feature " + j + " is not finite: " + rows[i][j]);
                }
                mean[j] += rows[i][j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= rows.length;
        }
        double[] scale = new double[d];
        for (double[] row : rows) {
            for (int j = 0; j < d; j++) {
                double c = row[j] - mean[j];
                scale[j] += c * c;
            }
        }
        for (int j = 0; j < d; j++) {
            scale[j] = Math.sqrt(scale[j] / (rows.length - 1));
            if (!(scale[j] > 0)) {
                throw new ZeroVarianceFeatureException(j, rows[0][j]);
            }
        }
        return new Standardization(mean, scale);
    }

    /** Number of features. */
    public int dimension() {
        return mean.length;
    }

    /** Standardizes one row (no checks beyond the length). */
    public double[] apply(double[] row) {
        double[] u = new double[mean.length];
        for (int j = 0; j < u.length; j++) {
            u[j] = (row[j] - mean[j]) / scale[j];
        }
        return u;
    }

    /** Maps a standardized row back to raw feature space. */
    public double[] invert(double[] u) {
        double[] row = new double[mean.length];
        for (int j = 0; j < row.length; j++) {
            row[j] = mean[j] + u[j] * scale[j];
        }
        return row;
    }

    /** log |det d u / d x| = −Σ log scale_j, added to a standardized log-density to get the raw one. */
    public double logAbsDetJacobian() {
        double s = 0;
        for (double v : scale) {
            s -= Math.log(v);
        }
        return s;
    }

    @Override
    public double[] mean() {
        return mean.clone();
    }

    @Override
    public double[] scale() {
        return scale.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Standardization s && Arrays.equals(s.mean, mean) && Arrays.equals(s.scale, scale);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(scale);
    }

    @Override
    public String toString() {
        return "Standardization[mean=" + Arrays.toString(mean) + ", scale=" + Arrays.toString(scale) + "]";
    }
}
