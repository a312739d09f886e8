package io.impflow.model.linalg;

import java.nio.DoubleBuffer;

/**
 * LU factorizations with partial pivoting of a batch of small dense float64 matrices, kept in one flat array for
 * repeated solves and log-determinants: the Newton solver's chord matrices I + J and the flow's log-det terms.
 *
 * <p>Slots are filled with {@link #load} or {@link #loadIdentityPlusTransposed} and then {@link #factor}ed; a slot
 * can be refilled and refactored at any time. Nothing is allocated per matrix, because this runs for every row of
 * every scored batch.
 */
public final class BatchedLu {
    private final int d;
    private final double[] lu;
    private final int[] pivot;
    /** Per slot: +1 or −1, the sign of the row permutation and the pivots; 0 when a pivot was zero or not finite. */
    private final int[] sign;

    /**
     * @param capacity number of slots
     * @param d matrix size
     */
    public BatchedLu(int capacity, int d) {
        this.d = d;
        this.lu = new double[capacity * d * d];
        this.pivot = new int[capacity * d];
        this.sign = new int[capacity];
    }

    /** Matrix size d. */
    public int dimension() {
        return d;
    }

    /** Copies the row-major d×d matrix at {@code offset} of {@code source} into {@code slot}. */
    public void load(int slot, double[] source, int offset) {
        System.arraycopy(source, offset, lu, slot * d * d, d * d);
    }

    /**
     * Fills {@code slot} with I + Sᵀ, where S is matrix number {@code index} of a row-major (·, d, d) buffer. With S
     * the transposed Jacobian Jᵀ of a residual map this is I + J, the matrix of the Newton system (I + J)·δ = F.
     */
    public void loadIdentityPlusTransposed(int slot, DoubleBuffer source, int index) {
        int base = slot * d * d;
        int from = index * d * d;
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                lu[base + j * d + i] = source.get(from + i * d + j);
            }
            lu[base + i * d + i] += 1;
        }
    }

    /** Factorizes the matrix in {@code slot} in place (PA = LU). */
    public void factor(int slot) {
        int base = slot * d * d;
        int pivots = slot * d;
        int s = 1;
        for (int k = 0; k < d; k++) {
            int kk = base + k * d;
            int p = k;
            double best = Math.abs(lu[kk + k]);
            for (int i = k + 1; i < d; i++) {
                double v = Math.abs(lu[base + i * d + k]);
                if (v > best) {
                    best = v;
                    p = i;
                }
            }
            pivot[pivots + k] = p;
            if (!(best > 0) || best == Double.POSITIVE_INFINITY) {
                sign[slot] = 0;
                return;
            }
            if (p != k) {
                int pp = base + p * d;
                for (int j = 0; j < d; j++) {
                    double t = lu[kk + j];
                    lu[kk + j] = lu[pp + j];
                    lu[pp + j] = t;
                }
                s = -s;
            }
            double pivotValue = lu[kk + k];
            if (pivotValue < 0) {
                s = -s;
            }
            double inverse = 1 / pivotValue;
            for (int i = k + 1; i < d; i++) {
                int ii = base + i * d;
                double f = lu[ii + k] * inverse;
                lu[ii + k] = f;
                if (f != 0) {
                    for (int j = k + 1; j < d; j++) {
                        lu[ii + j] -= f * lu[kk + j];
                    }
                }
            }
        }
        sign[slot] = s;
    }

    /** Whether the factorization in {@code slot} has only finite nonzero pivots, so it can solve. */
    public boolean regular(int slot) {
        return sign[slot] != 0;
    }

    /**
     * log det of the factorized matrix in {@code slot} if the determinant is positive, else NaN (also for a zero or
     * non-finite pivot). One logarithm per matrix: the pivot product is rescaled only when it leaves [1e-150, 1e150].
     */
    public double logDeterminantIfPositive(int slot) {
        return sign[slot] == 1 ? logAbsDeterminant(slot) : Double.NaN;
    }

    /** Sign of the determinant of the factorized matrix in {@code slot}: +1, −1, or 0 for a zero or non-finite pivot. */
    public int determinantSign(int slot) {
        return sign[slot];
    }

    /** log |det| of the factorized matrix in {@code slot}; −∞ for a zero or non-finite pivot. */
    public double logAbsDeterminant(int slot) {
        if (sign[slot] == 0) {
            return Double.NEGATIVE_INFINITY;
        }
        int base = slot * d * d;
        double product = 1;
        double logSum = 0;
        for (int k = 0; k < d; k++) {
            product *= Math.abs(lu[base + k * d + k]);
            if (product > 1e150 || product < 1e-150) {
                logSum += Math.log(product);
                product = 1;
            }
        }
        return logSum + Math.log(product);
    }

    /**
     * Solves A·x = b with the factorization in {@code slot} (NaN everywhere when it is not {@link #regular}).
     *
     * @param b right-hand side, d values at {@code bOffset} (not modified)
     * @param x receives the solution at {@code xOffset} (may not overlap b)
     */
    public void solve(int slot, double[] b, int bOffset, double[] x, int xOffset) {
        if (sign[slot] == 0) {
            java.util.Arrays.fill(x, xOffset, xOffset + d, Double.NaN);
            return;
        }
        int base = slot * d * d;
        int pivots = slot * d;
        System.arraycopy(b, bOffset, x, xOffset, d);
        for (int k = 0; k < d; k++) {
            int p = pivot[pivots + k];
            if (p != k) {
                double t = x[xOffset + k];
                x[xOffset + k] = x[xOffset + p];
                x[xOffset + p] = t;
            }
        }
        for (int i = 1; i < d; i++) {
            int ii = base + i * d;
            double sum = x[xOffset + i];
            for (int j = 0; j < i; j++) {
                sum -= lu[ii + j] * x[xOffset + j];
            }
            x[xOffset + i] = sum;
        }
        for (int i = d - 1; i >= 0; i--) {
            int ii = base + i * d;
            double sum = x[xOffset + i];
            for (int j = i + 1; j < d; j++) {
                sum -= lu[ii + j] * x[xOffset + j];
            }
            x[xOffset + i] = sum / lu[ii + i];
        }
    }
}
