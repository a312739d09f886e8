package io.impflow.model.calibration;

import java.util.Arrays;

/**
 * Anomaly threshold and tail probabilities fitted on held-out log-likelihoods.
 *
 * <p>The quantile table holds (level, value) pairs of the empirical distribution of held-out log-likelihoods with
 * plotting positions level = (rank + 1) / (n + 1); {@link #pValue} interpolates it linearly, so it is monotone in
 * the log-likelihood. Below the smallest held-out value the p-value is the smallest level, 1 / (n + 1): the data
 * cannot resolve a smaller tail. A row is an anomaly iff its log-likelihood is below {@link #threshold()}, the
 * interpolated quantile at the target false-positive rate.
 *
 * @param targetFpr the false-positive rate the threshold was chosen for, in (0, 1)
 * @param threshold log-likelihood threshold; anomaly iff ll &lt; threshold
 * @param sampleCount number of held-out log-likelihoods the table was built from
 * @param levels increasing tail probabilities of the quantile table
 * @param values non-decreasing held-out log-likelihood quantiles at those levels
 */
public record Calibration(double targetFpr, double threshold, int sampleCount, double[] levels, double[] values) {

    /** Most quantile points stored in a manifest. */
    public static final int MAX_TABLE_SIZE = 1001;

    /** Validates the table. */
    public Calibration {
        if (!(targetFpr > 0 && targetFpr < 1)) {
            throw new IllegalArgumentException("targetFpr must be in (0, 1), got " + targetFpr);
        }
        if (levels.length != values.length || levels.length < 2) {
            throw new IllegalArgumentException("quantile table needs >= 2 matching levels and values, got "
                    + levels.length + " levels and " + values.length + " values");
        }
        for (int k = 1; k < levels.length; k++) {
            if (!(levels[k] > levels[k - 1]) || !(values[k] >= values[k - 1])) {
                throw new IllegalArgumentException("quantile table must be increasing at index " + k);
            }
        }
        if (!Double.isFinite(threshold)) {
            throw new IllegalArgumentException("threshold must be finite, got " + threshold);
        }
        levels = levels.clone();
        values = values.clone();
    }

    /**
     * Fits a calibration from held-out log-likelihoods.
     *
     * @param heldOutLogLikelihoods log-likelihoods of held-out normal data (all finite, at least 2)
     * @param targetFpr wanted false-positive rate in (0, 1)
     * @return the calibration
     */
    public static Calibration fit(double[] heldOutLogLikelihoods, double targetFpr) {
        if (!(targetFpr > 0 && targetFpr < 1)) {
            throw new IllegalArgumentException("targetFpr must be in (0, 1), got " + targetFpr);
        }
        int n = heldOutLogLikelihoods.length;
        if (n < 2) {
            throw new IllegalArgumentException("calibration needs at least 2 held-out log-likelihoods, got " + n);
        }
        double[] sorted = heldOutLogLikelihoods.clone();
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(sorted[i])) {
                throw new IllegalArgumentException("held-out log-likelihood " + i + " is not finite: " + sorted[i]);
            }
        }
        Arrays.sort(sorted);
        int m = Math.min(n, MAX_TABLE_SIZE);
        double[] levels = new double[m];
        double[] values = new double[m];
        int kept = 0;
        for (int k = 0; k < m; k++) {
            int rank = (int) Math.round((double) k * (n - 1) / (m - 1));
            double level = (rank + 1.0) / (n + 1.0);
            if (kept > 0 && level <= levels[kept - 1]) {
                continue;
            }
            levels[kept] = level;
            values[kept] = sorted[rank];
            kept++;
        }
        levels = Arrays.copyOf(levels, kept);
        values = Arrays.copyOf(values, kept);
        double threshold = interpolate(targetFpr, levels, values);
        return new Calibration(targetFpr, threshold, n, levels, values);
    }

    /** Tail probability P(LL ≤ ll) of a log-likelihood under the held-out distribution; NaN for NaN. */
    public double pValue(double logLikelihood) {
        if (Double.isNaN(logLikelihood)) {
            return Double.NaN;
        }
        return interpolate(logLikelihood, values, levels);
    }

    /** Whether a log-likelihood is below the threshold (NaN is never an anomaly here; check the row status). */
    public boolean isAnomaly(double logLikelihood) {
        return logLikelihood < threshold;
    }

    /** Piecewise-linear map xs → ys, clamped to the end values; xs non-decreasing. */
    private static double interpolate(double x, double[] xs, double[] ys) {
        if (x <= xs[0]) {
            return ys[0];
        }
        int last = xs.length - 1;
        if (x >= xs[last]) {
            return ys[last];
        }
        int hi = Arrays.binarySearch(xs, x);
        if (hi >= 0) {
            while (hi < last && xs[hi + 1] == x) {
                hi++;
            }
            return ys[hi];
        }
        hi = -hi - 1;
        int lo = hi - 1;
        double span = xs[hi] - xs[lo];
        double w = span > 0 ? (x - xs[lo]) / span : 1.0;
        return ys[lo] + w * (ys[hi] - ys[lo]);
    }

    @Override
    public double[] levels() {
        return levels.clone();
    }

    @Override
    public double[] values() {
        return values.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Calibration c && c.targetFpr == targetFpr && c.threshold == threshold
                && c.sampleCount == sampleCount && Arrays.equals(c.levels, levels) && Arrays.equals(c.values, values);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(levels) + Arrays.hashCode(values) + Double.hashCode(threshold);
    }

    @Override
    public String toString() {
        return "Calibration[targetFpr=" + targetFpr + ", threshold=" + threshold + ", sampleCount=" + sampleCount
                + ", tableSize=" + levels.length + "]";
    }
}
