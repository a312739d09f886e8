package io.impflow.model.robust;

/**
 * The χ² distribution with an integer number of degrees of freedom: distribution function by the regularized lower
 * incomplete gamma function, quantile by a bracketed Newton iteration on it.
 */
public final class ChiSquared {
    private static final int MAX_ITERATIONS = 500;
    private static final double TINY = 1e-300;

    private ChiSquared() {
    }

    /**
     * P(X ≤ x) for X ~ χ²_k.
     *
     * @param k degrees of freedom, ≥ 1
     * @param x the point
     * @return the probability, 0 for x ≤ 0
     */
    public static double cdf(int k, double x) {
        checkDegrees(k);
        if (Double.isNaN(x)) {
            throw new IllegalArgumentException("x must not be NaN");
        }
        return x <= 0 ? 0 : regularizedLowerGamma(0.5 * k, 0.5 * x);
    }

    /**
     * The p-quantile of χ²_k: the x with P(X ≤ x) = p.
     *
     * @param k degrees of freedom, ≥ 1
     * @param p probability in (0, 1)
     * @return the quantile, accurate to about 1e-13 relative
     */
    public static double quantile(int k, double p) {
        checkDegrees(k);
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("p must be in (0, 1), got " + p);
        }
        double lo = 0;
        double hi = Math.max(1, k);
        while (cdf(k, hi) < p) {
            lo = hi;
            hi *= 2;
        }
        double x = 0.5 * (lo + hi);
        for (int i = 0; i < MAX_ITERATIONS; i++) {
            double f = cdf(k, x) - p;
            if (f < 0) {
                lo = x;
            } else {
                hi = x;
            }
            double density = density(k, x);
            double next = density > 0 ? x - f / density : Double.NaN;
            // Newton converges quadratically near the root; far from it (or at a flat tail) it can leave the
            // bracket, and then bisection keeps the iteration safe.
            if (!(next > lo && next < hi)) {
                next = 0.5 * (lo + hi);
            }
            if (Math.abs(next - x) <= 1e-15 * x || hi - lo <= 1e-15 * hi) {
                return next;
            }
            x = next;
        }
        return x;
    }

    private static double density(int k, double x) {
        double a = 0.5 * k;
        return Math.exp((a - 1) * Math.log(x) - 0.5 * x - a * Math.log(2) - logGammaOfHalfInteger(k));
    }

    /** P(a, x) = γ(a, x) / Γ(a): a power series below x = a + 1, a continued fraction for Q = 1 − P above. */
    private static double regularizedLowerGamma(double a, double x) {
        int k = (int) Math.round(2 * a);
        double logPrefactor = a * Math.log(x) - x - logGammaOfHalfInteger(k);
        if (x < a + 1) {
            double term = 1 / a;
            double sum = term;
            for (int n = 1; n < MAX_ITERATIONS; n++) {
                term *= x / (a + n);
                sum += term;
                if (Math.abs(term) < Math.abs(sum) * 1e-17) {
                    break;
                }
            }
            return Math.min(1, sum * Math.exp(logPrefactor));
        }
        // Modified Lentz evaluation of the continued fraction for Q(a, x).
        double b = x + 1 - a;
        double c = 1 / TINY;
        double d = 1 / b;
        double h = d;
        for (int i = 1; i < MAX_ITERATIONS; i++) {
            double an = -i * (i - a);
            b += 2;
            d = an * d + b;
            if (Math.abs(d) < TINY) {
                d = TINY;
            }
            c = b + an / c;
            if (Math.abs(c) < TINY) {
                c = TINY;
            }
            d = 1 / d;
            double delta = d * c;
            h *= delta;
            if (Math.abs(delta - 1) < 1e-17) {
                break;
            }
        }
        return Math.max(0, 1 - Math.exp(logPrefactor) * h);
    }

    /** log Γ(k/2), exact by the recurrences Γ(m + 1) = m Γ(m), Γ(1) = 1, Γ(1/2) = √π. */
    private static double logGammaOfHalfInteger(int k) {
        double sum = k % 2 == 0 ? 0 : 0.5 * Math.log(Math.PI);
        for (double m = k % 2 == 0 ? 1 : 0.5; m < 0.5 * k - 0.25; m += 1) {
            sum += Math.log(m);
        }
        return sum;
    }

    private static void checkDegrees(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("degrees of freedom must be >= 1, got " + k);
        }
    }
}
