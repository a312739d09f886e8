package io.impflow.model.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Threshold at the target false-positive rate, monotone interpolated p-values, and input validation. */
class CalibrationTest {

    @Test
    void thresholdHitsTheTargetRateAndPValuesAreMonotone() {
        Random random = new Random(3);
        double[] heldOut = new double[20000];
        for (int i = 0; i < heldOut.length; i++) {
            heldOut[i] = -5 + random.nextGaussian();
        }
        Calibration c = Calibration.fit(heldOut, 0.01);
        int below = 0;
        for (double v : heldOut) {
            if (c.isAnomaly(v)) {
                below++;
            }
        }
        assertThat(below / (double) heldOut.length).isCloseTo(0.01, within(0.001));
        assertThat(c.threshold()).isCloseTo(-5 - 2.326, within(0.08));
        assertThat(c.pValue(c.threshold())).isCloseTo(0.01, within(0.001));
        assertThat(c.levels()).hasSizeLessThanOrEqualTo(Calibration.MAX_TABLE_SIZE);
        double previous = -1;
        for (double ll = -12; ll <= 2; ll += 0.01) {
            double p = c.pValue(ll);
            assertThat(p).isGreaterThanOrEqualTo(previous).isBetween(0.0, 1.0);
            previous = p;
        }
        assertThat(c.pValue(-1e9)).isEqualTo(1.0 / (heldOut.length + 1));
        assertThat(c.pValue(Double.NaN)).isNaN();
    }

    @Test
    void invalidInputsAreRejectedWithReasons() {
        assertThatThrownBy(() -> Calibration.fit(new double[] {1, 2, 3}, 0)).hasMessageContaining("targetFpr");
        assertThatThrownBy(() -> Calibration.fit(new double[] {1}, 0.1)).hasMessageContaining("at least 2");
        assertThatThrownBy(() -> Calibration.fit(new double[] {1, Double.NaN}, 0.1)).hasMessageContaining("not finite");
    }
}
