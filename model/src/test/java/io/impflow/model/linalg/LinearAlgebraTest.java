package io.impflow.model.linalg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.linear.SingularValueDecomposition;
import org.junit.jupiter.api.Test;

/** LU log-determinants and Jacobi singular values against commons-math3 on random matrices. */
class LinearAlgebraTest {

    @Test
    void logDeterminantMatchesReference() {
        Random random = new Random(1);
        for (int d : new int[] {1, 2, 5, 17, 64}) {
            double[][] m = randomMatrix(random, d, d);
            double[] flat = flatten(m);
            LuDecomposition lu = new LuDecomposition(flat, 0, d);
            double det = new LUDecomposition(new Array2DRowRealMatrix(m)).getDeterminant();
            assertThat(lu.determinantSign()).isEqualTo((int) Math.signum(det));
            assertThat(lu.logAbsDeterminant()).isCloseTo(Math.log(Math.abs(det)), within(1e-10 * Math.max(1, d)));
        }
        double[] singular = {1, 2, 2, 4};
        assertThat(new LuDecomposition(singular, 0, 2).determinantSign()).isZero();
        assertThat(LuDecomposition.logDeterminantsOfPositive(new double[] {0, 1, 1, 0, 2, 0, 0, 3}, 2))
                .containsExactly(Double.NaN, Math.log(6));
    }

    @Test
    void batchedLuSolvesAndGivesLogDeterminantsOfIdentityPlusTransposed() {
        Random random = new Random(3);
        for (int d : new int[] {1, 3, 9, 36}) {
            int n = 5;
            double[] source = new double[n * d * d];
            for (int k = 0; k < source.length; k++) {
                source[k] = 0.8 * random.nextGaussian() / Math.sqrt(d);
            }
            BatchedLu lu = new BatchedLu(n, d);
            for (int m = 0; m < n; m++) {
                lu.loadIdentityPlusTransposed(m, java.nio.DoubleBuffer.wrap(source), m);
                lu.factor(m);
                double[][] a = new double[d][d];
                for (int i = 0; i < d; i++) {
                    for (int j = 0; j < d; j++) {
                        a[i][j] = (i == j ? 1 : 0) + source[m * d * d + j * d + i];
                    }
                }
                double[] b = new double[d];
                for (int i = 0; i < d; i++) {
                    b[i] = random.nextGaussian();
                }
                double[] x = new double[d + 2];
                lu.solve(m, b, 0, x, 2);
                double[] expected = new LUDecomposition(new Array2DRowRealMatrix(a)).getSolver()
                        .solve(new org.apache.commons.math3.linear.ArrayRealVector(b)).toArray();
                for (int i = 0; i < d; i++) {
                    assertThat(x[2 + i]).isCloseTo(expected[i], within(1e-12 * Math.max(1, Math.abs(expected[i]))));
                }
                double det = new LUDecomposition(new Array2DRowRealMatrix(a)).getDeterminant();
                if (det > 0) {
                    assertThat(lu.logDeterminantIfPositive(m)).isCloseTo(Math.log(det), within(1e-12 * d));
                } else {
                    assertThat(lu.logDeterminantIfPositive(m)).isNaN();
                }
            }
        }
        BatchedLu singular = new BatchedLu(1, 2);
        singular.load(0, new double[] {1, 2, 2, 4}, 0);
        singular.factor(0);
        assertThat(singular.regular(0)).isFalse();
        assertThat(singular.logDeterminantIfPositive(0)).isNaN();
    }

    @Test
    void largestSingularValueMatchesReference() {
        Random random = new Random(2);
        int[][] shapes = {{1, 1}, {3, 9}, {9, 3}, {64, 64}, {36, 64}, {64, 9}};
        for (int[] shape : shapes) {
            double[][] m = randomMatrix(random, shape[0], shape[1]);
            double expected = new SingularValueDecomposition(new Array2DRowRealMatrix(m)).getSingularValues()[0];
            assertThat(SingularValues.largest(flatten(m), shape[0], shape[1])).isCloseTo(expected, within(1e-12 * expected));
        }
        assertThat(SingularValues.largest(new double[] {Double.NaN}, 1, 1)).isNaN();
    }

    private static double[][] randomMatrix(Random random, int rows, int cols) {
        double[][] m = new double[rows][cols];
        for (double[] row : m) {
            for (int j = 0; j < cols; j++) {
                row[j] = random.nextGaussian();
            }
        }
        return m;
    }

    private static double[] flatten(double[][] m) {
        int cols = m[0].length;
        double[] flat = new double[m.length * cols];
        for (int i = 0; i < m.length; i++) {
            System.arraycopy(m[i], 0, flat, i * cols, cols);
        }
        return flat;
    }
}
