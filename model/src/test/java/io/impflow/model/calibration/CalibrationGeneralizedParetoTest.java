package io.impflow.model.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The generalized Pareto tail estimator behind {@link Calibration}: recovery, clamps, censoring, validation. */
class CalibrationGeneralizedParetoTest {
    private static final double NO_PENALTY = Double.POSITIVE_INFINITY;

    /** Ascending GPD(σ, ξ) excesses by inversion of the survival function. */
    static double[] sample(double scale, double shape, int size, long seed) {
        Random random = new Random(seed);
        double[] y = new double[size];
        for (int i = 0; i < size; i++) {
            double u = 1 - random.nextDouble();  // (0, 1]
            y[i] = shape == 0 ? -scale * Math.log(u) : scale * Math.expm1(-shape * Math.log(u)) / shape;
        }
        Arrays.sort(y);
        return y;
    }

    @ParameterizedTest
    @ValueSource(doubles = {-0.4, -0.2, 0.0, 0.25, 0.5, 0.9})
    void maximumLikelihoodRecoversTheParametersOfLargeSamples(double shape) {
        double[] y = sample(2.0, shape, 20000, 11);
        GeneralizedPareto plain = GeneralizedPareto.fit(y, 0, NO_PENALTY);
        // standard errors at N = 20000: ξ ≈ (1 + ξ)/√N ≤ 0.014, σ ≈ 1.5 %; tolerances are about 3 of them
        assertThat(plain.shape()).as("plain ξ").isCloseTo(shape, within(0.04));
        assertThat(plain.scale()).as("plain σ").isCloseTo(2.0, within(0.1));
        GeneralizedPareto robust = GeneralizedPareto.fit(y, 1000, Calibration.SHAPE_PRIOR_SD);
        assertThat(robust.shape()).as("censored, penalized ξ").isCloseTo(shape, within(0.05));
        assertThat(robust.scale()).as("censored, penalized σ").isCloseTo(2.0, within(0.12));
    }

    @Test
    void shapesBeyondTheRangeAreClampedToItsEnds() {
        assertThat(GeneralizedPareto.fit(sample(1.0, 1.6, 5000, 5), 0, NO_PENALTY).shape())
                .isEqualTo(GeneralizedPareto.MAX_SHAPE);
        // ξ = −0.9: a steep bounded tail (near-uniform excesses); the clamped fit still covers every excess
        double[] bounded = sample(1.0, -0.9, 5000, 6);
        GeneralizedPareto fit = GeneralizedPareto.fit(bounded, 0, NO_PENALTY);
        assertThat(fit.shape()).isEqualTo(GeneralizedPareto.MIN_SHAPE);
        assertThat(fit.survival(bounded[bounded.length - 1] * 0.999)).isPositive();
    }

    @Test
    void censoringKeepsAFewFarPointsFromDrivingTheShape() {
        double[] clean = sample(1.0, 0.0, 64, 21);
        double[] contaminated = clean.clone();
        contaminated[62] = 150;  // 20x further out than the rest, as shuttle's extreme normal rows
        contaminated[63] = 170;
        GeneralizedPareto plain = GeneralizedPareto.fit(contaminated, 0, NO_PENALTY);
        GeneralizedPareto censored = GeneralizedPareto.fit(contaminated, 4, NO_PENALTY);
        GeneralizedPareto censoredClean = GeneralizedPareto.fit(clean, 4, NO_PENALTY);
        assertThat(plain.shape()).as("plain MLE follows the two far points").isGreaterThan(0.5);
        assertThat(censored.shape()).as("censored fit does not").isLessThan(0.25);
        assertThat(censored.shape()).isCloseTo(censoredClean.shape(), within(0.05));
        assertThat(censored.scale()).isCloseTo(censoredClean.scale(), within(0.1 * censoredClean.scale()));
    }

    @Test
    void thePenaltyShrinksTheShapeOfSmallSamplesTowardsZero() {
        double[] y = sample(1.0, 0.5, 60, 8);
        double plain = GeneralizedPareto.fit(y, 0, NO_PENALTY).shape();
        double penalized = GeneralizedPareto.fit(y, 0, Calibration.SHAPE_PRIOR_SD).shape();
        assertThat(penalized).isLessThan(plain - 0.05).isPositive();
    }

    @ParameterizedTest
    @ValueSource(doubles = {-0.5, -0.1, 0.0, 0.3, 1.0})
    void quantileInvertsTheSurvivalFunction(double shape) {
        GeneralizedPareto gpd = new GeneralizedPareto(1.7, shape);
        for (double p : new double[] {1.0, 0.5, 0.05, 1e-3, 1e-9}) {
            assertThat(gpd.survival(gpd.excessQuantile(p))).isCloseTo(p, within(1e-12 + 1e-9 * p));
        }
        assertThat(gpd.survival(0)).isEqualTo(1.0);
        assertThat(gpd.survival(-3)).isEqualTo(1.0);
    }

    @Test
    void aNegativeShapeHasABoundedSupport() {
        GeneralizedPareto gpd = new GeneralizedPareto(2.0, -0.5);  // endpoint σ/|ξ| = 4
        assertThat(gpd.survival(3.999)).isPositive();
        assertThat(gpd.survival(4.0)).isZero();
        assertThat(gpd.survival(100)).isZero();
        assertThat(gpd.excessQuantile(1e-300)).isCloseTo(4.0, within(1e-9));
    }

    @Test
    void invalidParametersAndSamplesAreRejected() {
        assertThatThrownBy(() -> new GeneralizedPareto(0, 0.1)).hasMessageContaining("scale");
        assertThatThrownBy(() -> new GeneralizedPareto(1, 1.5)).hasMessageContaining("shape");
        assertThatThrownBy(() -> new GeneralizedPareto(1, Double.NaN)).hasMessageContaining("shape");
        assertThatThrownBy(() -> GeneralizedPareto.fit(new double[] {1, 2, 3}, 2, NO_PENALTY))
                .hasMessageContaining("at least 2 uncensored");
        assertThatThrownBy(() -> GeneralizedPareto.fit(new double[] {2, 1, 3}, 0, NO_PENALTY))
                .hasMessageContaining("ascending");
        assertThatThrownBy(() -> GeneralizedPareto.fit(new double[] {-1, 1, 3}, 0, NO_PENALTY))
                .hasMessageContaining("non-negative");
        assertThatThrownBy(() -> GeneralizedPareto.fit(new double[] {0, 0, 0, 5}, 1, NO_PENALTY))
                .hasMessageContaining("positive, finite spread");
    }
}
