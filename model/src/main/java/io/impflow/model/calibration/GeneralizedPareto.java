package io.impflow.model.calibration;

/**
 * Generalized Pareto distribution of excesses y ≥ 0 over a threshold: survival S(y) = (1 + ξ·y/σ)^(−1/ξ), the
 * exponential exp(−y/σ) at ξ = 0, and for ξ &lt; 0 a bounded support y &lt; σ/|ξ| (S = 0 beyond it).
 *
 * <p>{@link #fit} is a maximum-likelihood fit with two robustness devices, both chosen for the tails of held-out
 * log-likelihoods (see {@link Calibration}): the largest {@code censored} excesses enter the likelihood only through
 * their count (type-II censoring: "k of them lie beyond the largest kept one", Π f(y_i) · S(y_(m))^k), so a few
 * far-out points cannot pull the shape up; and an optional Gaussian penalty −½(ξ/τ)² shrinks the shape towards
 * the exponential tail. The shape is confined to [{@link #MIN_SHAPE}, {@link #MAX_SHAPE}].
 *
 * @param scale σ &gt; 0
 * @param shape ξ in [{@link #MIN_SHAPE}, {@link #MAX_SHAPE}]
 */
record GeneralizedPareto(double scale, double shape) {

    /** Smallest shape fitted: below −0.5 the maximum-likelihood estimator is irregular (Smith 1985). */
    static final double MIN_SHAPE = -0.5;
    /** Largest shape fitted: beyond 1 the mean is infinite and extrapolated quantiles are arbitrary. */
    static final double MAX_SHAPE = 1.0;
    /** Profile-grid points per unit of shape (step 0.025 over [−0.5, 1]), refined by golden-section search. */
    private static final int GRID_PER_UNIT = 40;
    private static final double GOLDEN = (Math.sqrt(5) - 1) / 2;

    GeneralizedPareto {
        checkParameters(scale, shape);
    }

    /** Throws unless σ is positive and finite and ξ is in [{@link #MIN_SHAPE}, {@link #MAX_SHAPE}]. */
    static void checkParameters(double scale, double shape) {
        if (!(scale > 0) || !Double.isFinite(scale)) {
            throw new IllegalArgumentException("tail scale must be positive and finite, got " + scale);
        }
        if (!(shape >= MIN_SHAPE && shape <= MAX_SHAPE)) {
            throw new IllegalArgumentException(
                    "tail shape must be in [" + MIN_SHAPE + ", " + MAX_SHAPE + "], got " + shape);
        }
    }

    /** S(y) = P(Y &gt; y): 1 for y ≤ 0, 0 beyond the end of a bounded (ξ &lt; 0) support. */
    double survival(double excess) {
        if (!(excess > 0)) {
            return 1.0;
        }
        double z = excess / scale;
        if (shape * z <= -1) {
            return 0.0;
        }
        return Math.exp(-scaledLog1p(shape, z));
    }

    /** The excess y with S(y) = p, for p in (0, 1]. */
    double excessQuantile(double p) {
        double logP = Math.log(p);
        return shape == 0 ? -scale * logP : scale * Math.expm1(-shape * logP) / shape;
    }

    /**
     * Penalized, censored maximum-likelihood fit: maximizes the profile log-likelihood max_σ ℓ(σ, ξ) − ½(ξ/τ)² over
     * ξ in [{@link #MIN_SHAPE}, {@link #MAX_SHAPE}] (grid of step 0.025, then golden-section refinement next to the
     * best grid point). For fixed ξ, σ·∂ℓ/∂σ = −m + (1+ξ)·Σ y_i/(σ + ξ·y_i) + k·c/(σ + ξ·c) decreases in σ, so the
     * conditional maximum is found by bisection; for ξ &lt; 0 the support must contain every excess, censored ones
     * included (σ &gt; |ξ|·max y).
     *
     * @param ascendingExcesses excesses y ≥ 0 sorted ascending, with a positive sum over the uncensored ones
     * @param censored how many of the largest excesses are censored at the largest uncensored one (k ≥ 0, at
     *     least 2 left uncensored)
     * @param shapePriorSd τ of the Gaussian penalty on ξ; {@code Double.POSITIVE_INFINITY} for plain maximum likelihood
     * @return the fitted distribution
     */
    static GeneralizedPareto fit(double[] ascendingExcesses, int censored, double shapePriorSd) {
        Likelihood likelihood = new Likelihood(ascendingExcesses, censored);
        int steps = (int) Math.round((MAX_SHAPE - MIN_SHAPE) * GRID_PER_UNIT);
        double bestShape = MIN_SHAPE;
        double bestValue = Double.NEGATIVE_INFINITY;
        int bestIndex = 0;
        for (int j = 0; j <= steps; j++) {
            double xi = gridShape(j);
            double value = likelihood.penalizedProfile(xi, shapePriorSd);
            if (value > bestValue) {
                bestValue = value;
                bestShape = xi;
                bestIndex = j;
            }
        }
        if (bestValue == Double.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException("tail likelihood is not finite for any shape");
        }
        double a = gridShape(Math.max(bestIndex - 1, 0));
        double b = gridShape(Math.min(bestIndex + 1, steps));
        double x1 = b - GOLDEN * (b - a);
        double x2 = a + GOLDEN * (b - a);
        double f1 = likelihood.penalizedProfile(x1, shapePriorSd);
        double f2 = likelihood.penalizedProfile(x2, shapePriorSd);
        while (b - a > 1e-7) {
            if (f1 < f2) {
                a = x1;
                x1 = x2;
                f1 = f2;
                x2 = a + GOLDEN * (b - a);
                f2 = likelihood.penalizedProfile(x2, shapePriorSd);
            } else {
                b = x2;
                x2 = x1;
                f2 = f1;
                x1 = b - GOLDEN * (b - a);
                f1 = likelihood.penalizedProfile(x1, shapePriorSd);
            }
        }
        double refined = 0.5 * (a + b);
        if (likelihood.penalizedProfile(refined, shapePriorSd) > bestValue) {
            bestShape = refined;
        }
        return new GeneralizedPareto(likelihood.scaleFor(bestShape), bestShape);
    }

    private static double gridShape(int j) {
        return MIN_SHAPE + j / (double) GRID_PER_UNIT;
    }

    /** log1p(ξ·z)/ξ, continuous at ξ = 0 (where it is z). */
    private static double scaledLog1p(double xi, double z) {
        return xi == 0 ? z : Math.log1p(xi * z) / xi;
    }

    /** The censored GPD log-likelihood of one sample. */
    private static final class Likelihood {
        private final double[] y;
        private final int kept;
        private final int censored;
        private final double censoringPoint;
        private final double largest;
        private final double keptSum;

        Likelihood(double[] ascending, int censored) {
            int n = ascending.length;
            if (censored < 0 || n - censored < 2) {
                throw new IllegalArgumentException("tail fit needs at least 2 uncensored excesses, got "
                        + (n - censored) + " of " + n);
            }
            this.y = ascending;
            this.kept = n - censored;
            this.censored = censored;
            this.censoringPoint = ascending[kept - 1];
            this.largest = ascending[n - 1];
            double sum = 0;
            for (int i = 0; i < kept; i++) {
                if (!(ascending[i] >= 0) || (i > 0 && ascending[i] < ascending[i - 1])) {
                    throw new IllegalArgumentException("excesses must be non-negative and ascending at index " + i);
                }
                sum += ascending[i];
            }
            if (!(sum > 0) || !Double.isFinite(largest)) {
                throw new IllegalArgumentException("excesses must have a positive, finite spread");
            }
            this.keptSum = sum;
        }

        double penalizedProfile(double xi, double priorSd) {
            double penalty = Double.isInfinite(priorSd) ? 0 : 0.5 * (xi / priorSd) * (xi / priorSd);
            return logLikelihood(scaleFor(xi), xi) - penalty;
        }

        /** ℓ(σ, ξ) = −m·log σ − Σ_kept (1 + 1/ξ)·log1p(ξ·y_i/σ) − k·log1p(ξ·c/σ)/ξ; −∞ off the support. */
        double logLikelihood(double sigma, double xi) {
            double value = -kept * Math.log(sigma);
            for (int i = 0; i < kept; i++) {
                double z = y[i] / sigma;
                value -= Math.log1p(xi * z) + scaledLog1p(xi, z);
            }
            value -= censored * scaledLog1p(xi, censoringPoint / sigma);
            return Double.isNaN(value) ? Double.NEGATIVE_INFINITY : value;
        }

        /** The σ maximizing ℓ(·, ξ): bisection on the decreasing score in log(σ − σ_min), σ_min = max(0, −ξ)·max y. */
        double scaleFor(double xi) {
            double floor = Math.max(0, -xi) * largest;
            double width = 2 * ((1 + Math.max(xi, 0)) * keptSum + censored * censoringPoint) / kept;
            double lo = Math.log(width) - 28;
            double hi = Math.log(width);
            if (score(floor + Math.exp(lo), xi) <= 0) {
                return floor + Math.exp(lo);
            }
            for (int it = 0; it < 200 && hi - lo > 1e-13; it++) {
                double mid = 0.5 * (lo + hi);
                if (score(floor + Math.exp(mid), xi) > 0) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            return floor + Math.exp(0.5 * (lo + hi));
        }

        private double score(double sigma, double xi) {
            double s = 0;
            for (int i = 0; i < kept; i++) {
                s += y[i] / (sigma + xi * y[i]);
            }
            return -kept + (1 + xi) * s + censored * censoringPoint / (sigma + xi * censoringPoint);
        }
    }
}
