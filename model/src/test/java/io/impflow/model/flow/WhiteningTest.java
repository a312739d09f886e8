package io.impflow.model.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.impflow.model.linalg.LuDecomposition;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The shrinkage whitening: it whitens, inverts, and its log-determinant is that of the matrix it applies. */
class WhiteningTest {

    /** Correlated 3-D Gaussian rows, standardized per column. */
    private static double[][] correlatedRows(int n, long seed) {
        Random random = new Random(seed);
        double[][] rows = new double[n][3];
        for (double[] row : rows) {
            double a = random.nextGaussian();
            double b = random.nextGaussian();
            double c = random.nextGaussian();
            row[0] = a;
            row[1] = 0.9 * a + 0.3 * b;
            row[2] = -0.5 * a + 0.2 * b + 0.1 * c;
        }
        Standardization st = Standardization.fit(rows);
        double[][] out = new double[n][];
        for (int i = 0; i < n; i++) {
            out[i] = st.apply(rows[i]);
        }
        return out;
    }

    @Test
    void factorWhitensTheShrunkCovarianceExactly() {
        double[][] s = correlatedRows(50_000, 1);
        double[][] shrunk = Whitening.shrunkCovariance(s);
        Whitening w = Whitening.fit(s, 1.0);
        double[][] f = w.factor();
        // W Σ Wᵀ = I
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                double v = 0;
                for (int a = 0; a < 3; a++) {
                    for (int b = 0; b < 3; b++) {
                        v += f[i][a] * shrunk[a][b] * f[j][b];
                    }
                }
                assertThat(v).as("(W Σ Wᵀ)(%d,%d)", i, j).isCloseTo(i == j ? 1 : 0, within(1e-10));
            }
        }
        // with this many rows the shrinkage is small: the rows it whitens have (nearly) uncorrelated coordinates
        double[][] cov = new double[3][3];
        for (double[] row : s) {
            double[] u = w.apply(row);
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    cov[i][j] += u[i] * u[j] / s.length;
                }
            }
        }
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < i; j++) {
                assertThat(cov[i][j] / Math.sqrt(cov[i][i] * cov[j][j])).as("corr(%d,%d)", i, j)
                        .isCloseTo(0, within(0.05));
            }
        }
    }

    @Test
    void featureScaleScalesTheWhitenedRows() {
        double[][] s = correlatedRows(500, 2);
        Whitening one = Whitening.fit(s, 1.0);
        Whitening two = Whitening.fit(s, 2.0);
        double[] u1 = one.apply(s[7]);
        double[] u2 = two.apply(s[7]);
        for (int j = 0; j < 3; j++) {
            assertThat(u2[j]).isCloseTo(2 * u1[j], within(1e-12));
        }
        assertThat(two.logAbsDet()).isCloseTo(one.logAbsDet() + 3 * Math.log(2), within(1e-12));
    }

    @Test
    void inverseRoundTripsAndLogDetIsTheDeterminantOfTheAppliedMap() {
        double[][] s = correlatedRows(300, 3);
        Whitening w = Whitening.fit(s, 1.0);
        double[] u = w.apply(s[11]);
        double[] back = w.invert(u);
        for (int j = 0; j < 3; j++) {
            assertThat(back[j]).isCloseTo(s[11][j], within(1e-12));
        }
        // the matrix the map applies, column by column, and its determinant by an independent LU
        double[] dense = new double[9];
        for (int j = 0; j < 3; j++) {
            double[] e = new double[3];
            e[j] = 1;
            double[] col = w.apply(e);
            for (int i = 0; i < 3; i++) {
                dense[i * 3 + j] = col[i];
            }
        }
        assertThat(w.logAbsDet()).isCloseTo(new LuDecomposition(dense, 0, 3).logAbsDeterminant(), within(1e-12));
    }

    @Test
    void shrinkageKeepsCollinearAndFewRowsWellConditioned() {
        // the third column is an exact linear combination of the first two, and there are only 5 rows
        double[][] rows = {{1, 2, 3}, {2, 1, 3}, {0, 1, 1}, {3, 3, 6}, {1, 0, 1}};
        Standardization st = Standardization.fit(rows);
        double[][] s = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            s[i] = st.apply(rows[i]);
        }
        double[][] shrunk = Whitening.shrunkCovariance(s);
        double[][] l = io.impflow.model.linalg.Cholesky.factor(shrunk);
        for (int i = 0; i < 3; i++) {
            assertThat(l[i][i]).as("Cholesky diagonal %d", i).isGreaterThan(1e-3);
        }
        Whitening w = Whitening.fit(s, 1.0);
        assertThat(Double.isFinite(w.logAbsDet())).isTrue();
    }

    @Test
    void shrinkageVanishesWithManyRows() {
        double[][] s = correlatedRows(50_000, 4);
        double[][] shrunk = Whitening.shrunkCovariance(s);
        double sample01 = 0;
        for (double[] row : s) {
            sample01 += row[0] * row[1] / s.length;
        }
        assertThat(shrunk[0][1]).isCloseTo(sample01, within(1e-3 * Math.abs(sample01)));
    }
}
