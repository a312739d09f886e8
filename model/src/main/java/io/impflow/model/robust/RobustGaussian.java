package io.impflow.model.robust;

import io.impflow.model.linalg.Cholesky;

/**
 * A robust Gaussian fitted by {@link MinimumCovarianceDeterminant}: the reweighted location and covariance, the rows
 * they were computed from, every training row's squared robust Mahalanobis distance, and the raw (consistency-corrected,
 * not yet reweighted) MCD estimate.
 *
 * @param location reweighted location (d)
 * @param covariance reweighted covariance (d×d, symmetric positive definite: the matrix the distances use, after
 *     any shrinkage or ridge)
 * @param support training rows whose corrected raw distance is below χ²_d(0.975), the rows the reweighted estimate
 *     averages
 * @param squaredDistances each training row's squared Mahalanobis distance under the reweighted estimate
 * @param rawLocation the raw MCD location: the mean of the h-subset with the smallest covariance determinant found
 * @param rawCovariance that subset's covariance times the consistency factor
 * @param rawSupport the h-subset
 * @param consistencyFactor median of the raw squared distances over χ²_d(0.5), the factor applied to the raw
 *     covariance
 * @param shrinkage weight α of the diagonal in every covariance, (1 − α)·S + α·diag(S); 0 unless n &lt; 2d
 * @param ridge τ of the ridge τ·diag(column variances) added to the reweighted covariance because its support lies
 *     (nearly) on a hyperplane; 0 normally
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
        double ridge) {

    /** Dimension d. */
    public int dimension() {
        return location.length;
    }

    /** Number of rows in the reweighted support. */
    public int supportSize() {
        return count(support);
    }

    /** Number of rows in the raw h-subset. */
    public int rawSupportSize() {
        return count(rawSupport);
    }

    /**
     * Squared Mahalanobis distances of new rows under the reweighted estimate.
     *
     * @param rows n×d rows
     * @return n distances
     */
    public double[] squaredDistancesOf(double[][] rows) {
        double[][] lower = Cholesky.factor(covariance);
        int d = dimension();
        double[] out = new double[rows.length];
        double[] z = new double[d];
        for (int r = 0; r < rows.length; r++) {
            if (rows[r].length != d) {
                throw new IllegalArgumentException("row " + r + " has " + rows[r].length + " values, expected " + d);
            }
            out[r] = MinimumCovarianceDeterminant.squaredDistance(rows[r], 0, location, lower, z);
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
