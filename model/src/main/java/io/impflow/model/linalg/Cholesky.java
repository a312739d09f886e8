package io.impflow.model.linalg;

/** Cholesky factorization of small dense symmetric positive-definite matrices and inverses of triangular factors. */
public final class Cholesky {

    private Cholesky() {
    }

    /**
     * The lower factor L with A = L Lᵀ.
     *
     * @param a symmetric positive-definite d×d matrix (only the lower triangle is read)
     * @return L, lower-triangular with a positive diagonal
     * @throws IllegalArgumentException if A is not positive definite
     */
    public static double[][] factor(double[][] a) {
        int d = a.length;
        double[][] l = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j <= i; j++) {
                double sum = a[i][j];
                for (int k = 0; k < j; k++) {
                    sum -= l[i][k] * l[j][k];
                }
                if (i == j) {
                    if (!(sum > 0)) {
                        throw new IllegalArgumentException("matrix is not positive definite at column " + i);
                    }
                    l[i][i] = Math.sqrt(sum);
                } else {
                    l[i][j] = sum / l[j][j];
                }
            }
        }
        return l;
    }

    /** Inverse of a lower-triangular matrix with a non-zero diagonal (lower-triangular again). */
    public static double[][] invertLower(double[][] l) {
        int d = l.length;
        double[][] inv = new double[d][d];
        for (int j = 0; j < d; j++) {
            inv[j][j] = 1 / l[j][j];
            for (int i = j + 1; i < d; i++) {
                double sum = 0;
                for (int k = j; k < i; k++) {
                    sum -= l[i][k] * inv[k][j];
                }
                inv[i][j] = sum / l[i][i];
            }
        }
        return inv;
    }
}
