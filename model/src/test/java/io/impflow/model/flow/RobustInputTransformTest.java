package io.impflow.model.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.impflow.model.linalg.LuDecomposition;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The robust input transform: the untrained flow behind it is the robust Gaussian of the training rows, so anomalies
 * in them do not pull it, while it stays an exact affine map (log-determinant, inverse, normalization).
 */
class RobustInputTransformTest {

    private static final List<String> NAMES = List.of("a", "b", "c");

    /** n correlated 3-D rows around (10, −5, 100); every row i with i % 5 == 0 moved far along +a, −c when contaminated. */
    private static double[][] rows(int n, boolean contaminated, long seed) {
        Random random = new Random(seed);
        double[][] rows = new double[n][];
        for (int i = 0; i < n; i++) {
            double u = random.nextGaussian();
            double v = random.nextGaussian();
            double[] row = {10 + 2 * u, -5 + u + 0.5 * v, 100 + 20 * random.nextGaussian()};
            if (contaminated && i % 5 == 0) {
                row[0] += 12 + random.nextGaussian();
                row[2] -= 120 + 10 * random.nextGaussian();
            }
            rows[i] = row;
        }
        return rows;
    }

    private static double startLogDensity(InputTransform t, double[] x) {
        double[] u = t.apply(x);
        double sq = 0;
        for (double v : u) {
            sq += v * v;
        }
        return -0.5 * sq - 0.5 * u.length * Math.log(2 * Math.PI) + t.logAbsDetJacobian();
    }

    @Test
    void aFifthOfFarRowsDoesNotMoveTheRobustLocationWhileItPullsTheShrinkageOne() {
        double[][] train = rows(2000, true, 1);
        InputTransform robust = InputTransform.fit(train, NAMES, 1, WhiteningMethod.ROBUST, 7);
        InputTransform classical = InputTransform.fit(train, NAMES, 1, WhiteningMethod.SHRINKAGE, 7);
        double[] mean = robust.standardization().mean();
        assertThat(mean[0]).isCloseTo(10, within(0.2));
        assertThat(mean[2]).isCloseTo(100, within(2.0));
        assertThat(classical.standardization().mean()[0]).isGreaterThan(11.5);
        // its widths are never below the classical ones (ROBUST_SCALE_FLOOR), so the gain is in where it is centred:
        // a row like the contaminating ones is far less likely under it than under the pulled classical start
        double[] far = {22, -5, -20};
        assertThat(startLogDensity(robust, far)).isLessThan(startLogDensity(classical, far) - 3);
    }

    @Test
    void onCleanGaussianRowsTheRobustStartIsCloseToTheClassicalOne() {
        double[][] train = rows(5000, false, 3);
        InputTransform robust = InputTransform.fit(train, NAMES, 1, WhiteningMethod.ROBUST, 7);
        InputTransform classical = InputTransform.fit(train, NAMES, 1, WhiteningMethod.SHRINKAGE, 7);
        for (int j = 0; j < 3; j++) {
            double scale = classical.standardization().scale()[j];
            assertThat(robust.standardization().mean()[j])
                    .isCloseTo(classical.standardization().mean()[j], within(0.05 * scale));
        }
        assertThat(robust.logAbsDetJacobian()).isCloseTo(classical.logAbsDetJacobian(), within(0.1));
    }

    @Test
    void logDeterminantInverseAndNormalizationAreExact() {
        double[][] train = rows(600, true, 4);
        InputTransform t = InputTransform.fit(train, NAMES, 1, WhiteningMethod.ROBUST, 7);
        // the map is affine: central differences give its Jacobian exactly up to rounding
        double[] x0 = train[3];
        double h = 1e-3;
        double[] jacobian = new double[9];
        for (int j = 0; j < 3; j++) {
            double[] plus = x0.clone();
            double[] minus = x0.clone();
            plus[j] += h;
            minus[j] -= h;
            double[] up = t.apply(plus);
            double[] down = t.apply(minus);
            for (int i = 0; i < 3; i++) {
                jacobian[i * 3 + j] = (up[i] - down[i]) / (2 * h);
            }
        }
        double fd = new LuDecomposition(jacobian, 0, 3).logAbsDeterminant();
        assertThat(t.logAbsDetJacobian()).isCloseTo(fd, within(1e-8 * Math.max(1, Math.abs(fd))));
        double[] back = t.invert(t.apply(x0));
        for (int j = 0; j < 3; j++) {
            assertThat(back[j]).isCloseTo(x0[j], within(1e-12 * Math.max(1, Math.abs(x0[j]))));
        }
        // the start density over the raw plane of the first two features integrates to one
        double[][] plane = new double[600][];
        for (int i = 0; i < plane.length; i++) {
            plane[i] = new double[] {train[i][0], train[i][1]};
        }
        InputTransform two = InputTransform.fit(plane, List.of("a", "b"), 1, WhiteningMethod.ROBUST, 7);
        double[] centre = two.invert(new double[2]);
        double[] scale = two.standardization().scale();
        int cells = 400;
        double half = 12;
        double mass = 0;
        for (int a = 0; a < cells; a++) {
            for (int b = 0; b < cells; b++) {
                double[] x = {centre[0] + scale[0] * (-half + (a + 0.5) * 2 * half / cells),
                    centre[1] + scale[1] * (-half + (b + 0.5) * 2 * half / cells)};
                mass += Math.exp(startLogDensity(two, x)) * (2 * half * scale[0] / cells) * (2 * half * scale[1] / cells);
            }
        }
        assertThat(mass).isCloseTo(1.0, within(1e-3));
    }

    @Test
    void aValueMostRowsShareKeepsAtLeastHalfTheClassicalScale() {
        Random random = new Random(5);
        double[][] train = new double[1000][];
        for (int i = 0; i < train.length; i++) {
            // 70 % of the rows share b = 0 exactly; the others spread
            double b = i % 10 < 7 ? 0 : 3 * random.nextGaussian();
            train[i] = new double[] {random.nextGaussian(), b, random.nextGaussian()};
        }
        InputTransform robust = InputTransform.fit(train, NAMES, 1, WhiteningMethod.ROBUST, 7);
        InputTransform classical = InputTransform.fit(train, NAMES, 1, WhiteningMethod.NONE, 7);
        double classicalSd = classical.standardization().scale()[1];
        // the start Gaussian's standard deviation of b in raw units: scale_b · sqrt((W⁻¹W⁻ᵀ)_bb)
        double variance = 0;
        for (int k = 0; k < 3; k++) {
            double[] e = new double[3];
            e[k] = 1;
            double entry = robust.whitening().invert(e)[1];
            variance += entry * entry;
        }
        double startSd = robust.standardization().scale()[1] * Math.sqrt(variance);
        assertThat(startSd).isGreaterThanOrEqualTo(InputTransform.ROBUST_SCALE_FLOOR * classicalSd * (1 - 1e-9));
        // a normal row off the shared value is unusual, not infinitely far
        assertThat(startLogDensity(robust, new double[] {0, 3, 0})).isGreaterThan(-20);
    }

    @Test
    void theSameRowsAndSeedGiveTheSameTransform() {
        double[][] train = rows(3000, true, 6);
        InputTransform a = InputTransform.fit(train, NAMES, 1, WhiteningMethod.ROBUST, 9);
        InputTransform b = InputTransform.fit(train, NAMES, 1, WhiteningMethod.ROBUST, 9);
        assertThat(b.standardization()).isEqualTo(a.standardization());
        assertThat(b.whitening()).isEqualTo(a.whitening());
    }
}
