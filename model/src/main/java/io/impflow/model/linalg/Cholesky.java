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

    /**
     * A copy of a square lower-triangular factor after checking it: finite, zero above the diagonal, positive on it.
     *
     * @param factor the d×d factor
     * @param what how error messages name it
     * @return a deep copy
     * @throws IllegalArgumentException naming the first entry that breaks a rule
     */
    public static double[][] checkedLowerFactor(double[][] factor, String what) {
        int d = factor.length;
        if (d == 0) {
            throw new IllegalArgumentException(what + " must be non-empty");
        }
        double[][] copy = new double[d][];
        for (int i = 0; i < d; i++) {
            if (factor[i] == null || factor[i].length != d) {
                throw new IllegalArgumentException(what + " must be " + d + " x " + d + ", row " + i + " has "
                        + (factor[i] == null ? 0 : factor[i].length) + " entries");
            }
            for (int j = 0; j < d; j++) {
                double v = factor[i][j];
                if (!Double.isFinite(v) || (j > i && v != 0) || (j == i && !(v > 0))) {
                    throw new IllegalArgumentException(what + " must be finite, lower-triangular with a positive"
                            + " diagonal; entry (" + i + ", " + j + ") is " + v);
                }
            }
            copy[i] = factor[i].clone();
        }
        return copy;
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
