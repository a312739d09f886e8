package io.impflow.model.robust;

import io.impflow.model.linalg.Cholesky;
import java.util.stream.IntStream;

/**
 * A robust Gaussian fitted by {@link MinimumCovarianceDeterminant}: the reweighted location and covariance, the rows
 * they were computed from, every training row's squared robust Mahalanobis distance, and the raw (consistency-corrected,
 * not yet reweighted) MCD estimate.
 *
 * @param location reweighted location (d)
 * @param covariance reweighted covariance (d×d, symmetric; positive definite unless {@code ignoredColumns} names
 *     some; after the shrinkage when n &lt; 2d)
 * @param support training rows whose corrected raw distance is below χ²_d(0.975), the rows the reweighted estimate
 *     averages
 * @param squaredDistances each training row's squared Mahalanobis distance under the reweighted estimate
 * @param rawLocation the raw MCD location: the mean of the h-subset with the smallest covariance determinant found
 * @param rawCovariance that subset's covariance times the consistency factor
 * @param rawSupport the h-subset
 * @param consistencyFactor median of the raw squared distances over χ²_d(0.5), the factor applied to the raw
 *     covariance
 * @param shrinkage weight α of the diagonal in every covariance, (1 − α)·S + α·diag(S); 0 unless n &lt; 2d
 * @param ignoredColumns columns whose variance given the earlier columns vanishes on the reweighted support (an
 *     exact fit: the support lies on a hyperplane); distances ignore them. All false normally
 */
public record RobustGaussian(
        double[] location,
        double[][] covariance,
        boolean[] support,
        double[] squaredDistances,
        double[] rawLocation,
        double[][] rawCovariance,
        boolean[] rawSupport,
        double consistencyFactor,
        double shrinkage,
        boolean[] ignoredColumns) {

    /** Dimension d. */
    public int dimension() {
        return location.length;
    }

    /** Number of rows in the reweighted support. */
    public int supportSize() {
        return count(support);
    }

    /** Number of columns distances ignore because the reweighted support has no variance along them. */
    public int ignoredColumnCount() {
        return count(ignoredColumns);
    }

    /** Number of rows in the raw h-subset. */
    public int rawSupportSize() {
        return count(rawSupport);
    }

    /**
     * Squared Mahalanobis distances of new rows under the reweighted estimate, over the columns not ignored (the
     * distances {@link #squaredDistances()} holds for the training rows).
     *
     * @param rows n×d rows
     * @return n distances
     */
    public double[] squaredDistancesOf(double[][] rows) {
        int d = dimension();
        int[] kept = IntStream.range(0, d).filter(j -> !ignoredColumns[j]).toArray();
        double[][] sub = new double[kept.length][kept.length];
        double[] mean = new double[kept.length];
        for (int i = 0; i < kept.length; i++) {
            mean[i] = location[kept[i]];
            for (int j = 0; j < kept.length; j++) {
                sub[i][j] = covariance[kept[i]][kept[j]];
            }
        }
        double[][] lower = Cholesky.factor(sub);
        double[] out = new double[rows.length];
        double[] v = new double[kept.length];
        double[] z = new double[kept.length];
        for (int r = 0; r < rows.length; r++) {
            if (rows[r].length != d) {
                throw new IllegalArgumentException("row " + r + " has " + rows[r].length + " values, expected " + d);
            }
            for (int i = 0; i < kept.length; i++) {
                v[i] = rows[r][kept[i]];
            }
            out[r] = MinimumCovarianceDeterminant.squaredDistance(v, 0, mean, lower, z);
        }
        return out;
    }

    private static int count(boolean[] mask) {
        int c = 0;
        for (boolean b : mask) {
            if (b) {
                c++;
            }
        }
        return c;
    }
}
