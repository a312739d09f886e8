package io.impflow.model.linalg;

/**
 * Exact (to float64 rounding) largest singular value of a dense matrix by one-sided Jacobi rotations, which
 * converge unconditionally; used to guarantee the Lipschitz bound instead of trusting power iteration.
 */
public final class SingularValues {
    private static final int MAX_SWEEPS = 100;

    private SingularValues() {
    }

    /**
     * σ_max of a row-major rows×cols matrix.
     *
     * @param matrix row-major values (not modified)
     * @param rows number of rows
     * @param cols number of columns
     * @return the largest singular value
     */
    public static double largest(double[] matrix, int rows, int cols) {
        // Work on the orientation with fewer columns: columns of A (m×n, n ≤ m) are rotated until orthogonal.
        boolean transpose = cols > rows;
        int m = transpose ? cols : rows;
        int n = transpose ? rows : cols;
        double[][] col = new double[n][m];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double v = matrix[i * cols + j];
                if (!Double.isFinite(v)) {
                    return Double.NaN;
                }
                if (transpose) {
                    col[i][j] = v;
                } else {
                    col[j][i] = v;
                }
            }
        }
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            boolean rotated = false;
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    double alpha = 0;
                    double beta = 0;
                    double gamma = 0;
                    double[] a = col[p];
                    double[] b = col[q];
                    for (int k = 0; k < m; k++) {
                        alpha += a[k] * a[k];
                        beta += b[k] * b[k];
                        gamma += a[k] * b[k];
                    }
                    if (Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta) || gamma == 0) {
                        continue;
                    }
                    rotated = true;
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = Math.signum(zeta == 0 ? 1 : zeta) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
                    double c = 1 / Math.sqrt(1 + t * t);
                    double s = c * t;
                    for (int k = 0; k < m; k++) {
                        double ak = a[k];
                        double bk = b[k];
                        a[k] = c * ak - s * bk;
                        b[k] = s * ak + c * bk;
                    }
                }
            }
            if (!rotated) {
                break;
            }
        }
        double best = 0;
        for (double[] c : col) {
            double s = 0;
            for (double v : c) {
                s += v * v;
            }
            best = Math.max(best, Math.sqrt(s));
        }
        return best;
    }
}
