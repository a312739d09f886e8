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
