package io.impflow.model.flow;

import io.impflow.model.linalg.Cholesky;
import java.util.Arrays;

/**
 * Exact linear whitening u = W·s of standardized rows s, with W lower-triangular and a positive diagonal: the inverse
 * Cholesky factor of a shrinkage estimate of the rows' correlation matrix, scaled by the feature scale. Composed with
 * the standard normal it is the full-covariance Gaussian of the training rows, so an untrained flow behind it already
 * models every linear correlation; its log |det W| = Σ log W_jj enters the exact log-likelihood.
 *
 * <p>The estimate is Ledoit and Wolf's (2004) optimal linear shrinkage towards a multiple of the identity, which
 * stays well conditioned with few rows or exactly collinear features and vanishes as rows grow.
 *
 * @param factor W as d rows of length d, zero above the diagonal, diagonal &gt; 0
 */
public record Whitening(double[][] factor) {

    /** Least shrinkage towards the identity. */
    static final double MIN_SHRINKAGE = 1e-6;

    /** Validates shape, triangularity and the diagonal. */
    public Whitening {
        factor = Cholesky.checkedLowerFactor(factor, "whitening factor");
    }

    /**
     * Fits W from standardized rows (column means 0, standard deviations 1).
     *
     * @param standardized at least 2 rows of equal length
     * @param featureScale standard deviation of every whitened feature (1 = unit covariance)
     * @return the whitening
     */
    public static Whitening fit(double[][] standardized, double featureScale) {
        return ofCovariance(shrunkCovariance(standardized), featureScale);
    }

    /**
     * W from a covariance estimate of standardized rows: its inverse Cholesky factor, scaled by the feature scale.
     *
     * @param covariance symmetric positive definite d×d
     * @param featureScale standard deviation of every whitened feature (1 = unit covariance)
     * @return the whitening
     */
    static Whitening ofCovariance(double[][] covariance, double featureScale) {
        double[][] inverse = Cholesky.invertLower(Cholesky.factor(covariance));
        for (double[] row : inverse) {
            for (int j = 0; j < row.length; j++) {
                row[j] *= featureScale;
            }
        }
        return new Whitening(inverse);
    }

    /** Ledoit–Wolf shrinkage covariance (1/n normalization) of rows whose columns have mean 0. */
    static double[][] shrunkCovariance(double[][] x) {
        int n = x.length;
        if (n < 2) {
            throw new IllegalArgumentException("whitening needs at least 2 rows, got " + n);
        }
        int d = x[0].length;
        double[][] s = new double[d][d];
        double fourthMoments = 0;
        for (double[] row : x) {
            double sq = 0;
            for (int i = 0; i < d; i++) {
                double xi = row[i];
                sq += xi * xi;
                for (int j = 0; j <= i; j++) {
                    s[i][j] += xi * row[j];
                }
            }
            fourthMoments += sq * sq;
        }
        double trace = 0;
        double frobenius = 0;
        for (int i = 0; i < d; i++) {
            for (int j = 0; j <= i; j++) {
                s[i][j] /= n;
                s[j][i] = s[i][j];
                frobenius += (i == j ? 1 : 2) * s[i][j] * s[i][j];
            }
            trace += s[i][i];
        }
        double mu = trace / d;
        double delta = (frobenius - 2 * mu * trace + mu * mu * d) / d;
        double betaBar = Math.max(0, (fourthMoments / n - frobenius) / ((double) n * d));
        // a floor keeps the estimate positive definite when the sample covariance is singular and betaBar is 0
        // (every centred row is ±x, e.g. two equally frequent points)
        double shrinkage = delta > 0 ? Math.max(MIN_SHRINKAGE, Math.min(betaBar, delta) / delta) : 1;
        double[][] out = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                out[i][j] = (1 - shrinkage) * s[i][j] + (i == j ? shrinkage * mu : 0);
            }
        }
        return out;
    }

    /** Number of features. */
    public int dimension() {
        return factor.length;
    }

    /** u = W·s. */
    public double[] apply(double[] s) {
        int d = factor.length;
        double[] u = new double[d];
        for (int i = 0; i < d; i++) {
            double sum = 0;
            double[] row = factor[i];
            for (int j = 0; j <= i; j++) {
                sum += row[j] * s[j];
            }
            u[i] = sum;
        }
        return u;
    }

    /** s = W⁻¹·u by forward substitution. */
    public double[] invert(double[] u) {
        int d = factor.length;
        double[] s = new double[d];
        for (int i = 0; i < d; i++) {
            double sum = u[i];
            for (int j = 0; j < i; j++) {
                sum -= factor[i][j] * s[j];
            }
            s[i] = sum / factor[i][i];
        }
        return s;
    }

    /** log |det W| = Σ log W_jj. */
    public double logAbsDet() {
        double sum = 0;
        for (int i = 0; i < factor.length; i++) {
            sum += Math.log(factor[i][i]);
        }
        return sum;
    }

    @Override
    public double[][] factor() {
        double[][] copy = new double[factor.length][];
        for (int i = 0; i < factor.length; i++) {
            copy[i] = factor[i].clone();
        }
        return copy;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Whitening w && Arrays.deepEquals(w.factor, factor);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(factor);
    }

    @Override
    public String toString() {
        return "Whitening[d=" + factor.length + ", log|det|=" + logAbsDet() + "]";
    }
}
