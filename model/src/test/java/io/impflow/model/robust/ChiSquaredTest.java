package io.impflow.model.robust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.apache.commons.math3.distribution.ChiSquaredDistribution;
import org.junit.jupiter.api.Test;

/** χ² distribution function and quantiles against published table values and commons-math3. */
class ChiSquaredTest {

    @Test
    void quantilesMatchPublishedTableValues() {
        // Abramowitz & Stegun table 26.8 / NIST handbook 1.3.6.7.4, to the digits printed there.
        assertThat(ChiSquared.quantile(1, 0.5)).isCloseTo(0.454936, within(1e-6));
        assertThat(ChiSquared.quantile(1, 0.975)).isCloseTo(5.023886, within(1e-6));
        assertThat(ChiSquared.quantile(2, 0.5)).isCloseTo(2 * Math.log(2), within(1e-14));
        assertThat(ChiSquared.quantile(4, 0.975)).isCloseTo(11.143287, within(1e-6));
        assertThat(ChiSquared.quantile(9, 0.975)).isCloseTo(19.022768, within(1e-6));
        assertThat(ChiSquared.quantile(10, 0.05)).isCloseTo(3.940299, within(1e-6));
        assertThat(ChiSquared.quantile(36, 0.975)).isCloseTo(54.437294, within(1e-6));
        assertThat(ChiSquared.quantile(100, 0.5)).isCloseTo(99.334129, within(1e-6));
    }

    @Test
    void quantileInvertsTheDistributionFunctionAndAgreesWithCommonsMath() {
        for (int k : new int[] {1, 2, 3, 4, 7, 9, 13, 36, 64, 200}) {
            ChiSquaredDistribution reference = new ChiSquaredDistribution(null, k, 1e-14);
            for (double p : new double[] {1e-6, 0.001, 0.025, 0.3, 0.5, 0.9, 0.975, 0.999, 0.9999}) {
                double x = ChiSquared.quantile(k, p);
                assertThat(ChiSquared.cdf(k, x)).as("k=%d p=%s", k, p).isCloseTo(p, within(1e-13));
                assertThat(x).as("k=%d p=%s", k, p)
                        .isCloseTo(reference.inverseCumulativeProbability(p), within(1e-9 * Math.max(1, x)));
                assertThat(ChiSquared.cdf(k, x)).isCloseTo(reference.cumulativeProbability(x), within(1e-13));
            }
        }
    }

    @Test
    void rejectsInvalidArguments() {
        assertThatThrownBy(() -> ChiSquared.quantile(0, 0.5)).hasMessageContaining("degrees of freedom");
        assertThatThrownBy(() -> ChiSquared.quantile(3, 1)).hasMessageContaining("(0, 1)");
        assertThatThrownBy(() -> ChiSquared.cdf(3, Double.NaN)).hasMessageContaining("NaN");
        assertThat(ChiSquared.cdf(3, -1)).isZero();
    }
}
