package io.impflow.model.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Threshold at the target false-positive rate, monotone p-values, the fallbacks, and input validation. */
class CalibrationTest {

    private static double[] gaussian(int n, long seed) {
        Random random = new Random(seed);
        double[] heldOut = new double[n];
        for (int i = 0; i < n; i++) {
            heldOut[i] = -5 + random.nextGaussian();
        }
        return heldOut;
    }

    @Test
    void thresholdHitsTheTargetRateAndPValuesAreMonotone() {
        double[] heldOut = gaussian(20000, 3);
        Calibration c = Calibration.fit(heldOut, 0.01);
        assertThat(c.tailStatus()).isEqualTo(Calibration.TailStatus.FITTED);
        assertThat(c.tail().exceedances()).isEqualTo(400);
        assertThat(c.tail().censored()).isEqualTo(20);
        int below = 0;
        for (double v : heldOut) {
            if (c.isAnomaly(v)) {
                below++;
            }
        }
        assertThat(below / (double) heldOut.length).isCloseTo(0.01, within(0.001));
        assertThat(c.threshold()).isCloseTo(-5 - 2.326, within(0.08));
        assertThat(c.pValue(c.threshold())).isCloseTo(0.01, within(1e-12));
        assertThat(c.levels()).hasSizeLessThanOrEqualTo(Calibration.MAX_TABLE_SIZE);
        double previous = -1;
        for (double ll = -12; ll <= 2; ll += 0.01) {
            double p = c.pValue(ll);
            assertThat(p).isGreaterThanOrEqualTo(previous).isBetween(0.0, 1.0);
            previous = p;
        }
        // the Gaussian tail is lighter than exponential: the fitted shape is negative, the support bounded
        assertThat(c.tail().shape()).isNegative();
        assertThat(c.pValue(-1e9)).isZero();
        assertThat(c.pValue(Double.NaN)).isNaN();
    }

    @Test
    void pValuesFallBelowTheTableFloorSmoothlyAndAreContinuousAtTheTailThreshold() {
        Random random = new Random(12);
        double[] heldOut = new double[3200];
        for (int i = 0; i < heldOut.length; i++) {
            heldOut[i] = Math.log(1 - random.nextDouble());  // exponential scores: P(LL ≤ ll) = e^ll
        }
        Calibration c = Calibration.fit(heldOut, 0.001);
        Calibration.Tail tail = c.tail();
        double u = tail.threshold();
        assertThat(tail.exceedances()).isEqualTo(64);
        assertThat(tail.censored()).isEqualTo(4);
        assertThat(tail.share()).isCloseTo(65.0 / 3201, within(2e-4));
        assertThat(c.pValue(u)).isEqualTo(tail.share());
        assertThat(c.pValue(Math.nextDown(u))).isCloseTo(tail.share(), within(1e-12));
        assertThat(c.pValue(u - 1e-6)).isCloseTo(tail.share(), within(1e-6));
        assertThat(c.pValue(u + 1e-6)).isCloseTo(tail.share(), within(1e-6));
        double min = Arrays.stream(heldOut).min().orElseThrow();
        double floor = 1.0 / (heldOut.length + 1);
        assertThat(c.pValue(min - 1)).isPositive().isLessThan(floor);
        // e^ll is the truth: at the target rate, 20 times beyond the tail share, the fit is within 3x of it
        assertThat(c.pValue(Math.log(0.001)) / 0.001).isBetween(1 / 3.0, 3.0);
        double previous = 0;
        for (double ll = min - 40; ll <= 0; ll += 0.001) {
            double p = c.pValue(ll);
            assertThat(p).as("p-value at %s", ll).isGreaterThanOrEqualTo(previous).isLessThanOrEqualTo(1);
            // steps of 0.001 nats never jump by more than the density allows (≤ the table's steepest segment)
            assertThat(p - previous).as("jump at %s", ll).isLessThan(0.01);
            previous = p;
        }
        assertThat(c.pValue(c.threshold())).isCloseTo(0.001, within(1e-12));
        assertThat(c.threshold()).isLessThan(u);
    }

    @Test
    void targetsAboveTheTailShareUseTheEmpiricalQuantile() {
        Random random = new Random(5);
        double[] heldOut = new double[1000];
        for (int i = 0; i < heldOut.length; i++) {
            heldOut[i] = Math.log(1 - random.nextDouble());
        }
        double[] sorted = heldOut.clone();
        Arrays.sort(sorted);
        Calibration c = Calibration.fit(heldOut, 0.05);
        assertThat(c.tail().share()).isEqualTo(31.0 / 1001);  // N_t = 30 of 1000 rows: the table holds every rank
        // plotting position 0.05 · 1001 − 1 = 49.05
        assertThat(c.threshold()).isCloseTo(sorted[49] + 0.05 * (sorted[50] - sorted[49]), within(1e-12));
        assertThat(Calibration.fit(heldOut, 0.01).threshold()).isLessThan(sorted[30]);
    }

    @Test
    void fewRowsFallBackToTheEmpiricalQuantile() {
        double[] heldOut = gaussian(Calibration.MIN_TAIL_SAMPLES - 1, 8);
        Calibration c = Calibration.fit(heldOut, 0.01);
        assertThat(c.tailStatus()).isEqualTo(Calibration.TailStatus.TOO_FEW_ROWS);
        assertThat(c.tail()).isNull();
        assertThat(c.threshold()).isCloseTo(CalibrationTailTest.empiricalQuantile(heldOut, 0.01), within(1e-12));
        assertThat(c.pValue(-1e9)).isEqualTo(1.0 / (heldOut.length + 1));
        assertThat(Calibration.fit(gaussian(Calibration.MIN_TAIL_SAMPLES, 8), 0.01).tailStatus())
                .isEqualTo(Calibration.TailStatus.FITTED);
    }

    @Test
    void tiedExcessesFallBackToTheEmpiricalQuantile() {
        double[] heldOut = gaussian(1000, 9);
        Arrays.sort(heldOut);
        Arrays.fill(heldOut, 14, 31, heldOut[30]);  // 16 of the 30 lowest rows tie with the tail threshold
        Calibration c = Calibration.fit(heldOut, 0.001);
        assertThat(c.tailStatus()).isEqualTo(Calibration.TailStatus.DEGENERATE);
        assertThat(c.tail()).isNull();
        assertThat(c.threshold()).isCloseTo(CalibrationTailTest.empiricalQuantile(heldOut, 0.001), within(1e-12));
        assertThat(c.pValue(-1e9)).isEqualTo(1.0 / 1001);
        heldOut[14] = Math.nextDown(heldOut[14]);  // 15 ties: half the excesses are positive, a tail is fitted
        assertThat(Calibration.fit(heldOut, 0.001).tailStatus()).isEqualTo(Calibration.TailStatus.FITTED);
    }

    @Test
    void anotherTargetOnTheSameTableIsWhatFittingTheSameScoresAtThatTargetGives() {
        double[] withTail = gaussian(3200, 21);
        double[] withoutTail = gaussian(Calibration.MIN_TAIL_SAMPLES - 1, 22);
        for (double[] heldOut : new double[][] {withTail, withoutTail}) {
            Calibration atOnePercent = Calibration.fit(heldOut, 0.01);
            for (double target : new double[] {0.001, 0.005, 0.05, 0.3}) {
                Calibration moved = atOnePercent.withTargetFpr(target);
                assertThat(moved).isEqualTo(Calibration.fit(heldOut, target));
                assertThat(moved.threshold()).isEqualTo(Calibration.fit(heldOut, target).threshold());
            }
            assertThat(atOnePercent.withTargetFpr(0.001).threshold()).isLessThan(atOnePercent.threshold());
        }
        assertThat(Calibration.fit(withTail, 0.01).withTargetFpr(0.001).tailStatus())
                .isEqualTo(Calibration.TailStatus.FITTED);
        assertThatThrownBy(() -> Calibration.fit(withTail, 0.01).withTargetFpr(0)).hasMessageContaining("targetFpr");
    }

    @Test
    void invalidInputsAreRejectedWithReasons() {
        assertThatThrownBy(() -> Calibration.fit(new double[] {1, 2, 3}, 0)).hasMessageContaining("targetFpr");
        assertThatThrownBy(() -> Calibration.fit(new double[] {1, 2, 3}, 1)).hasMessageContaining("targetFpr");
        assertThatThrownBy(() -> Calibration.fit(new double[] {1}, 0.1)).hasMessageContaining("at least 2");
        assertThatThrownBy(() -> Calibration.fit(new double[] {1, Double.NaN}, 0.1)).hasMessageContaining("not finite");
        double[] big = gaussian(500, 1);
        big[7] = Double.NEGATIVE_INFINITY;
        assertThatThrownBy(() -> Calibration.fit(big, 0.1)).hasMessageContaining("7 is not finite");
        double[] levels = {0.25, 0.5, 0.75};
        double[] values = {-3, -2, -1};
        Calibration.Tail tail = new Calibration.Tail(-3, 0.25, 1, 0, 10, 3);
        assertThatThrownBy(() -> new Calibration(0.1, -4, 3, levels, values, tail, null))
                .hasMessageContaining("exactly when tailStatus is FITTED");
        assertThatThrownBy(() -> new Calibration(0.1, -4, 3, levels, values, null, Calibration.TailStatus.FITTED))
                .hasMessageContaining("exactly when tailStatus is FITTED");
        assertThatThrownBy(() -> new Calibration.Tail(Double.NaN, 0.25, 1, 0, 10, 3)).hasMessageContaining("threshold");
        assertThatThrownBy(() -> new Calibration.Tail(-3, 1, 1, 0, 10, 3)).hasMessageContaining("share");
        assertThatThrownBy(() -> new Calibration.Tail(-3, 0.25, -1, 0, 10, 3)).hasMessageContaining("scale");
        assertThatThrownBy(() -> new Calibration.Tail(-3, 0.25, 1, -0.7, 10, 3)).hasMessageContaining("shape");
        assertThatThrownBy(() -> new Calibration.Tail(-3, 0.25, 1, 0, 10, 10)).hasMessageContaining("censored");
    }
}
