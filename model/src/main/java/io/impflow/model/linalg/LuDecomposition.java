package io.impflow.model.linalg;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.nio.DoubleBuffer;

/**
 * LU factorization with partial pivoting of one dense float64 square matrix, for log-determinants (DJL has no
 * det/logdet op); a single-slot {@link BatchedLu}.
 */
public final class LuDecomposition {
    private final BatchedLu lu;

    /**
     * Factorizes the d×d row-major matrix stored at {@code offset} in {@code source} (the source is not modified).
     *
     * @param source array holding the matrix
     * @param offset index of element (0, 0)
     * @param d matrix size
     */
    public LuDecomposition(double[] source, int offset, int d) {
        this.lu = new BatchedLu(1, d);
        lu.load(0, source, offset);
        lu.factor(0);
    }

    /** log |det A| (−∞ when singular or when the matrix is not finite). */
    public double logAbsDeterminant() {
        return lu.logAbsDeterminant(0);
    }

    /** Sign of det A: +1, −1, or 0 when singular or not finite. */
    public int determinantSign() {
        return lu.determinantSign(0);
    }

    /**
     * log det of each d×d matrix of an (n, d, d) float64 array with positive determinants; NaN where the determinant
     * is not positive. Reads the matrices one by one from a direct view of the array's native memory (moved to the
     * CPU first if needed) instead of copying the batch into one large Java array, whose allocation cost more than
     * all the LUs on the scoring path.
     *
     * @param matrices (n, d, d) float64 matrices on any device
     * @return n log-determinants
     */
    public static double[] logDeterminantsOfPositive(NDArray matrices) {
        if (matrices.getDataType() != DataType.FLOAT64) {
            throw new IllegalArgumentException("expected float64 matrices, got " + matrices.getDataType());
        }
        int n = Math.toIntExact(matrices.getShape().get(0));
        int d = Math.toIntExact(matrices.getShape().get(1));
        int size = d * d;
        DoubleBuffer view = matrices.toByteBuffer(true).asDoubleBuffer();
        double[] out = new double[n];
        double[] a = new double[size];
        BatchedLu lu = new BatchedLu(1, d);
        for (int m = 0; m < n; m++) {
            view.get(m * size, a);
            lu.load(0, a, 0);
            lu.factor(0);
            out[m] = lu.logDeterminantIfPositive(0);
        }
        return out;
    }

    /**
     * log det of each matrix in a row-major batch of d×d matrices whose determinants must be positive (I + J with
     * Lip(J) &lt; 1); NaN where the determinant is not positive or the matrix is not finite.
     *
     * @param batch n·d·d values
     * @param d matrix size
     * @return n log-determinants
     */
    public static double[] logDeterminantsOfPositive(double[] batch, int d) {
        int n = batch.length / (d * d);
        double[] out = new double[n];
        BatchedLu lu = new BatchedLu(1, d);
        for (int m = 0; m < n; m++) {
            lu.load(0, batch, m * d * d);
            lu.factor(0);
            out[m] = lu.logDeterminantIfPositive(0);
        }
        return out;
    }
}
