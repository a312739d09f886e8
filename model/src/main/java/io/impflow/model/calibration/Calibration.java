package io.impflow.model.calibration;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Arrays;
import java.util.Objects;

/**
 * Anomaly threshold and tail probabilities fitted on held-out log-likelihoods.
 *
 * <p><b>Empirical table.</b> The quantile table holds (level, value) pairs of the empirical distribution of held-out
 * log-likelihoods with plotting positions level = (rank + 1) / (n + 1); {@link #pValue} interpolates it linearly,
 * so it is monotone in the log-likelihood. A row is an anomaly iff its log-likelihood is below {@link #threshold()}.
 *
 * <p><b>Fitted tail.</b> At small target rates the interpolated quantile is one of the few most extreme held-out
 * rows (at 0.001 and 3,200 rows, between the 3rd and 4th), which on heavy-tailed data can be a far-out normal row
 * (shuttle: −2,459 where the true quantile is near −137). {@link #fit} therefore models the lower tail by peaks over
 * threshold, as SPOT does for streams: with scores s = −ll, the N_t = max(30, ⌈2 % · n⌉) lowest log-likelihoods lie
 * below the tail threshold u (the (N_t + 1)-th lowest), and their excesses y = u − ll follow a generalized Pareto
 * distribution GPD(σ, ξ). Below u, P(LL ≤ ll) = ζ·S(u − ll), with ζ the table's level at u (≈ (N_t + 1)/(n + 1),
 * taken from the table so the p-value is continuous there), and the threshold for a target q &lt; ζ is the SPOT
 * quantile u − σ/ξ·((q/ζ)^(−ξ) − 1) (u + σ·ln(q/ζ) at ξ = 0). For q ≥ ζ the threshold stays the interpolated
 * empirical quantile, and so do p-values at or above u.
 *
 * <p>The tail is fitted by maximum likelihood ({@code GeneralizedPareto.fit}) with three deliberate choices, each
 * measured on held-out-sized samples (n = 3,200, q = 0.001, FPR of the threshold on fresh data; see
 * {@code CalibrationTailTest}):
 * <ul>
 *   <li>The k = max(3, ⌈5 % · N_t⌉) largest excesses are censored: they count, but only as "beyond the largest
 *       kept excess", so a few far-out normal rows cannot inflate ξ and push the threshold out to them. Up to k
 *       far points (≈ 0.1 % of the rows, the default target rate) are absorbed. Measured on shuttle-like scores
 *       (0.03 % of rows 20 times further out): without censoring the median FPR fell to 0.5 q and 13 % of
 *       resamples left [q/3, 3q]; with it the median is 1.05 q and 2 % leave (the empirical quantile: 11 %).</li>
 *   <li>ξ is shrunk towards 0 by a Gaussian penalty −½(ξ/0.2)². The score −log p(x) of most densities has an
 *       exponential tail (Gaussian: a gamma tail; power-law densities: s ≈ c·log|x|, so P(s &gt; v) decays like
 *       e^(−αv/c)), so ξ ≠ 0 from ~60 excesses is mostly noise, and that noise is amplified 20-fold by the
 *       extrapolation from ζ ≈ 0.02 to q = 0.001. On exponential scores the penalty cut the resamples outside
 *       [q/3, 3q] from 3.3 % to 0.7 %; on a true ξ = 0.3 it costs a bias of ~10 % in the threshold (FPR ~1.3 q).
 *       The penalty is fixed while the likelihood grows with N_t, so large samples are fitted as by plain maximum
 *       likelihood.</li>
 *   <li>ξ is confined to [−0.5, 1]: below −0.5 the estimator is irregular, above 1 the mean is infinite and
 *       extrapolated quantiles arbitrary. A fitted ξ &lt; 0 has a bounded support: p-values are 0 below
 *       u − σ/|ξ|.</li>
 * </ul>
 * With fewer than {@value #MIN_TAIL_SAMPLES} rows (N_t would exceed 10 % of them), or when fewer than half the
 * excesses are positive (ties at u, e.g. duplicated rows), no tail is fitted: {@link #tail()} is null, {@link
 * #tailStatus()} says why, and threshold and p-values are empirical as before, with the p-value floored at
 * 1/(n + 1) below the smallest held-out value.
 *
 * <p><b>Manifests written before the tail existed</b> have neither {@code tail} nor {@code tailStatus}; Jackson
 * passes null for both, and such a calibration behaves exactly as it did (empirical only). Both fields are left out
 * of the JSON when null, so such a calibration also serializes as before.
 *
 * @param targetFpr the false-positive rate the threshold was chosen for, in (0, 1)
 * @param threshold log-likelihood threshold; anomaly iff ll &lt; threshold
 * @param sampleCount number of held-out log-likelihoods the table was built from
 * @param levels increasing tail probabilities of the quantile table
 * @param values non-decreasing held-out log-likelihood quantiles at those levels
 * @param tail the fitted lower tail, or null when none was fitted
 * @param tailStatus whether a tail was fitted or why not; null only in calibrations written before tails existed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Calibration(double targetFpr, double threshold, int sampleCount, double[] levels, double[] values,
                          Tail tail, TailStatus tailStatus) {

    /** Most quantile points stored in a manifest. */
    public static final int MAX_TABLE_SIZE = 1001;
    /** Fewest held-out rows a tail is fitted to. */
    public static final int MIN_TAIL_SAMPLES = 300;
    /** Fewest excesses the tail is fitted to. */
    static final int MIN_EXCEEDANCES = 30;
    /** The tail holds at least 1/50 of the rows (2 %). */
    static final int TAIL_SHARE_DIVISOR = 50;
    /** Fewest censored excesses. */
    static final int MIN_CENSORED = 3;
    /** At least 1/20 of the excesses (5 %) are censored. */
    static final int CENSORED_DIVISOR = 20;
    /** Standard deviation of the Gaussian penalty on the tail shape ξ. */
    static final double SHAPE_PRIOR_SD = 0.2;

    /** Whether {@link #fit} fitted a tail. */
    public enum TailStatus {
        /** A tail was fitted; see {@link Calibration#tail()}. */
        FITTED,
        /** Fewer than {@link #MIN_TAIL_SAMPLES} held-out rows: empirical threshold and p-values only. */
        TOO_FEW_ROWS,
        /** Fewer than half the excesses over the tail threshold are positive (ties): empirical only. */
        DEGENERATE
    }

    /**
     * The fitted lower tail: below {@code threshold}, P(LL ≤ ll) = share · S(threshold − ll) with S the survival
     * function of GPD(scale, shape).
     *
     * @param threshold the log-likelihood u where the tail model starts (the (exceedances + 1)-th lowest held-out
     *     value); not the anomaly threshold
     * @param share ζ = P(LL ≤ u), the empirical table's level at u, in (0, 1)
     * @param scale GPD scale σ &gt; 0, in nats
     * @param shape GPD shape ξ in [−0.5, 1]
     * @param exceedances N_t, the held-out rows below u the tail was fitted to
     * @param censored how many of the most extreme of them entered the fit only as a count
     */
    public record Tail(double threshold, double share, double scale, double shape, int exceedances, int censored) {
        /** Validates the parameters. */
        public Tail {
            if (!Double.isFinite(threshold)) {
                throw new IllegalArgumentException("tail threshold must be finite, got " + threshold);
            }
            if (!(share > 0 && share < 1)) {
                throw new IllegalArgumentException("tail share must be in (0, 1), got " + share);
            }
            GeneralizedPareto.checkParameters(scale, shape);
            if (exceedances < 1 || censored < 0 || censored >= exceedances) {
                throw new IllegalArgumentException("tail needs exceedances >= 1 and 0 <= censored < exceedances, got "
                        + exceedances + " and " + censored);
            }
        }

        /** P(LL ≤ ll) for ll ≤ threshold. */
        double pValue(double logLikelihood) {
            return share * new GeneralizedPareto(scale, shape).survival(threshold - logLikelihood);
        }

        /** The log-likelihood with P(LL ≤ ll) = p, for p in (0, share]. */
        double quantile(double p) {
            return threshold - new GeneralizedPareto(scale, shape).excessQuantile(p / share);
        }
    }

    /** Validates the table and the tail. */
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
        if ((tail != null) != (tailStatus == TailStatus.FITTED)) {
            throw new IllegalArgumentException("a tail must be present exactly when tailStatus is FITTED, got tail "
                    + tail + " with tailStatus " + tailStatus);
        }
        levels = levels.clone();
        values = values.clone();
    }

    /**
     * Fits a calibration from held-out log-likelihoods: the empirical table and, with at least {@value
     * #MIN_TAIL_SAMPLES} rows, a generalized Pareto lower tail (see the class comment).
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
        TailStatus status = n < MIN_TAIL_SAMPLES ? TailStatus.TOO_FEW_ROWS : TailStatus.FITTED;
        Tail tail = status == TailStatus.FITTED ? fitTail(sorted, levels, values) : null;
        if (status == TailStatus.FITTED && tail == null) {
            status = TailStatus.DEGENERATE;
        }
        return new Calibration(targetFpr, threshold(targetFpr, tail, levels, values), n, levels, values, tail, status);
    }

    /**
     * The same held-out table and tail with the threshold for another target rate: equal to {@link #fit} of the
     * same held-out log-likelihoods at {@code otherTargetFpr}, since neither the table nor the tail depends on the
     * target (for reporting another operating point of a served model, e.g. the demo's).
     *
     * @param otherTargetFpr the false-positive rate to calibrate for, in (0, 1)
     */
    public Calibration withTargetFpr(double otherTargetFpr) {
        if (!(otherTargetFpr > 0 && otherTargetFpr < 1)) {
            throw new IllegalArgumentException("targetFpr must be in (0, 1), got " + otherTargetFpr);
        }
        return new Calibration(otherTargetFpr, threshold(otherTargetFpr, tail, levels, values), sampleCount, levels,
                values, tail, tailStatus);
    }

    /** The threshold for a target: the fitted tail's quantile below its share, else the interpolated table. */
    private static double threshold(double targetFpr, Tail tail, double[] levels, double[] values) {
        return tail != null && targetFpr < tail.share()
                ? tail.quantile(targetFpr)
                : interpolate(targetFpr, levels, values);
    }

    /** The GPD tail of ascending log-likelihoods, or null when the excesses are mostly ties. */
    private static Tail fitTail(double[] ascending, double[] levels, double[] values) {
        int n = ascending.length;
        int exceedances = Math.max(MIN_EXCEEDANCES, (n + TAIL_SHARE_DIVISOR - 1) / TAIL_SHARE_DIVISOR);
        int censored = Math.max(MIN_CENSORED, (exceedances + CENSORED_DIVISOR - 1) / CENSORED_DIVISOR);
        double u = ascending[exceedances];
        double[] excesses = new double[exceedances];
        int positive = 0;
        double sum = 0;
        for (int i = 0; i < exceedances; i++) {
            excesses[i] = u - ascending[exceedances - 1 - i];
            sum += excesses[i];
            if (excesses[i] > 0) {
                positive++;
            }
        }
        if (2 * positive < exceedances || !Double.isFinite(sum)) {
            return null;
        }
        GeneralizedPareto gpd = GeneralizedPareto.fit(excesses, censored, SHAPE_PRIOR_SD);
        double share = interpolate(u, values, levels);
        return new Tail(u, share, gpd.scale(), gpd.shape(), exceedances, censored);
    }

    /**
     * Tail probability P(LL ≤ ll) of a log-likelihood under the held-out distribution: from the fitted tail below
     * its threshold, else the interpolated empirical table (floored at 1/(n + 1) when there is no tail); NaN for NaN.
     */
    public double pValue(double logLikelihood) {
        if (Double.isNaN(logLikelihood)) {
            return Double.NaN;
        }
        if (tail != null && logLikelihood < tail.threshold()) {
            return tail.pValue(logLikelihood);
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
                && c.sampleCount == sampleCount && Arrays.equals(c.levels, levels) && Arrays.equals(c.values, values)
                && Objects.equals(c.tail, tail) && c.tailStatus == tailStatus;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(levels) + Arrays.hashCode(values) + Double.hashCode(threshold)
                + 17 * Objects.hashCode(tail);
    }

    @Override
    public String toString() {
        return "Calibration[targetFpr=" + targetFpr + ", threshold=" + threshold + ", sampleCount=" + sampleCount
                + ", tableSize=" + levels.length + ", tail=" + (tail != null ? tail : tailStatus) + "]";
    }
}
