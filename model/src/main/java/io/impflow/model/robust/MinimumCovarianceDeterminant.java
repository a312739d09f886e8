package io.impflow.model.robust;

import io.impflow.model.linalg.Cholesky;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The reweighted Minimum Covariance Determinant estimator by FastMCD (Rousseeuw and Van Driessen, Technometrics 1999),
 * deterministic in a seed.
 *
 * <p>The raw estimate is the mean and covariance of the h = ⌈(n + d + 1)/2⌉ rows whose covariance has the smallest
 * determinant found (scikit-learn's {@code MinCovDet} default; the paper's ⌊(n + d + 1)/2⌋ is one row less when n + d
 * is even). It is searched by C-steps (re-select the h rows nearest to the current estimate; the determinant never
 * grows) from 500 random (d+1)-subsets, two C-steps each, the 10 best then iterated to convergence. Above 600 rows
 * the trials run on at most five disjoint random subsets of about 300 rows (500/k trials each, 10 best each), their
 * candidates get two C-steps on the merged subsets (at most 1,500 rows, h scaled to its size), and the 10 best of
 * those converge on all rows. The raw covariance is multiplied by median(d²)/χ²_d(0.5) for consistency at the normal
 * model; the reweighted estimate is the mean and (biased, 1/m) covariance of the m rows with corrected raw d² &lt;
 * χ²_d(0.975), as scikit-learn computes it (no second factor). d = 1 uses the exact univariate MCD: the h consecutive
 * order statistics of least variance.
 *
 * <p>Degenerate data must not break the search; it is met in two ways. With few rows (n &lt; 2d) every covariance S
 * computed here is shrunk towards its diagonal, (1 − α)·S + α·diag(S) with α = 1 − n/(2d), which keeps it positive
 * definite even when the support has fewer than d + 1 rows. A support is singular when its
 * Cholesky factor has a pivot² below 1e-12 of the column's variance v over all rows (the conditional variance of a
 * column given the earlier ones vanishes: the rows are collinear, or a column is constant on them). The search skips
 * singular supports: a random (d+1)-subset is grown by further random rows until regular (as in the paper), a C-step
 * towards a singular h-subset is not taken, and a start whose first C-step is singular is replaced by a random
 * h-subset (scikit-learn's start; it is a candidate itself if regular). Only when every start fails that way (MCD's
 * exact-fit case: more than h rows on a hyperplane, such as a discrete column with one value in most rows, or all
 * rows collinear) is the search repeated allowing singular supports. Their distances then ignore each direction
 * without variance (the residual of a column given the earlier ones; scikit-learn's pseudo-inverse ignores its null
 * space likewise), and their log-determinant counts such a direction as log(1e-12·v), so exact fits win as MCD
 * prescribes. The reweighted covariance is treated the same way if its support is singular;
 * {@link RobustGaussian#ignoredColumns()} names those columns. Skipping singular supports first keeps a discrete
 * column from pulling the estimate onto one of its values when a regular h-subset exists.
 */
public final class MinimumCovarianceDeterminant {
    /** Random (d+1)-subsets the search starts from, in all. */
    public static final int TRIALS = 500;
    static final int BEST = 10;
    static final int INITIAL_C_STEPS = 2;
    static final int MAX_C_STEPS = 200;
    /** Above this many rows the trials run on subsets. */
    public static final int LARGE = 600;
    /** Rows per subset, about. */
    public static final int SUBSET_ROWS = 300;
    /** Subsets at most (their union, at most 1,500 rows, is the merged set). */
    public static final int MAX_SUBSETS = 5;
    static final int MERGED_ROWS = 1500;
    static final double SINGULAR_PIVOT = 1e-12;

    private final int d;
    private final double shrinkage;
    private final double[] variances;
    /** Whether the covariance of all rows is regular; if not, no subset's is, and growing singular subsets is futile. */
    private final boolean regularData;

    private MinimumCovarianceDeterminant(int d, double shrinkage, double[] variances, boolean regularData) {
        this.d = d;
        this.shrinkage = shrinkage;
        this.variances = variances;
        this.regularData = regularData;
    }

    /**
     * Fits the reweighted MCD to the rows.
     *
     * @param rows n×d finite float64 rows, n ≥ 2, no constant column
     * @param seed seed of the random subsets: the same rows and seed give the same estimate
     * @return the robust Gaussian
     * @throws IllegalArgumentException naming the row or column when the rows are ragged, not finite, too few, have a
     *     constant column, or when more than half of them are identical
     */
    public static RobustGaussian fit(double[][] rows, long seed) {
        double[] x = flatten(rows);
        int n = rows.length;
        int d = rows[0].length;
        MinimumCovarianceDeterminant mcd = forRows(x, n, d);
        int h = supportSize(n, d);
        Estimate raw;
        if (h == n) {
            raw = mcd.estimate(x, IntStream.range(0, n).toArray(), n, true);
        } else if (d == 1) {
            raw = mcd.univariate(x, n, h);
        } else {
            raw = mcd.search(x, n, h, seed, false);
            if (raw == null) {
                raw = mcd.search(x, n, h, seed, true);
            }
        }
        return mcd.correctAndReweight(x, n, raw);
    }

    /**
     * The consistency correction and reweighting applied to a given raw h-subset instead of the one the search finds
     * (for checking those deterministic steps against another implementation).
     *
     * @param rows n×d rows as for {@link #fit}
     * @param rawSupport the h-subset
     * @return the estimate {@link #fit} would return had its search found that subset
     */
    static RobustGaussian fromRawSupport(double[][] rows, boolean[] rawSupport) {
        double[] x = flatten(rows);
        int n = rows.length;
        MinimumCovarianceDeterminant mcd = forRows(x, n, rows[0].length);
        int[] kept = IntStream.range(0, n).filter(r -> rawSupport[r]).toArray();
        return mcd.correctAndReweight(x, n, mcd.estimate(x, kept, kept.length, true));
    }

    /** h = ⌈(n + d + 1)/2⌉, at most n. */
    static int supportSize(int n, int d) {
        return Math.min(n, (n + d + 2) / 2);
    }

    private static double[] flatten(double[][] rows) {
        int n = rows.length;
        if (n < 2) {
            throw new IllegalArgumentException("MCD needs at least 2 rows, got " + n);
        }
        int d = rows[0].length;
        if (d < 1) {
            throw new IllegalArgumentException("rows must have at least one column");
        }
        double[] x = new double[n * d];
        for (int r = 0; r < n; r++) {
            if (rows[r].length != d) {
                throw new IllegalArgumentException("row " + r + " has " + rows[r].length + " values, expected " + d);
            }
            for (int j = 0; j < d; j++) {
                double v = rows[r][j];
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("row " + r + " column " + j + " is not finite: " + v);
                }
                x[r * d + j] = v;
            }
        }
        return x;
    }

    private static MinimumCovarianceDeterminant forRows(double[] x, int n, int d) {
        double[] variances = columnVariances(x, n, d);
        for (int j = 0; j < d; j++) {
            if (!(variances[j] > 0)) {
                throw new IllegalArgumentException("column " + j + " is constant (" + x[j] + "); remove it before"
                        + " fitting a robust covariance");
            }
        }
        double shrinkage = Math.max(0, 1 - n / (2.0 * d));
        MinimumCovarianceDeterminant probe = new MinimumCovarianceDeterminant(d, shrinkage, variances, true);
        boolean regular = probe.estimate(x, IntStream.range(0, n).toArray(), n, false) != null;
        return new MinimumCovarianceDeterminant(d, shrinkage, variances, regular);
    }

    private RobustGaussian correctAndReweight(double[] x, int n, Estimate raw) {
        double[] rawDistances = distances(x, n, raw);
        double factor = median(rawDistances) / ChiSquared.quantile(d, 0.5);
        if (!(factor > 0 && Double.isFinite(factor))) {
            throw new IllegalArgumentException("more than half of the " + n + " rows are identical: the robust"
                    + " covariance is zero");
        }
        double cutOff = ChiSquared.quantile(d, 0.975);
        boolean[] support = new boolean[n];
        int[] kept = new int[n];
        int m = 0;
        for (int r = 0; r < n; r++) {
            if (rawDistances[r] / factor < cutOff) {
                support[r] = true;
                kept[m++] = r;
            }
        }
        Estimate reweighted = estimate(x, kept, m, true);
        boolean[] rawSupport = new boolean[n];
        for (int r : raw.support()) {
            rawSupport[r] = true;
        }
        double[][] rawCovariance = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                rawCovariance[i][j] = raw.covariance()[i][j] * factor;
            }
        }
        return new RobustGaussian(reweighted.location(), reweighted.covariance(), support, distances(x, n, reweighted),
                raw.location(), rawCovariance, rawSupport, factor, shrinkage, reweighted.ignored());
    }

    /** Mean, covariance and Cholesky factor of some rows of a set, with the support indices they came from. */
    private record Estimate(double[] location, double[][] covariance, double[][] lower, double logDet, int[] support,
            boolean[] ignored) {

        boolean singular() {
            for (boolean b : ignored) {
                if (b) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * The best h-subset the seeded search finds, or null when singular supports are not allowed and every C-step it
     * tried led to one.
     */
    private Estimate search(double[] x, int n, int h, long seed, boolean singularAllowed) {
        SplittableRandom random = new SplittableRandom(seed);
        return n > LARGE ? searchLarge(x, n, h, random, singularAllowed) : searchSmall(x, n, h, random, singularAllowed);
    }

    private Estimate searchSmall(double[] x, int n, int h, SplittableRandom random, boolean singularAllowed) {
        List<Estimate> best = new ArrayList<>();
        for (int t = 0; t < TRIALS; t++) {
            keep(best, trial(x, n, h, random, singularAllowed), BEST);
        }
        return converge(x, n, h, best, singularAllowed);
    }

    private Estimate searchLarge(double[] x, int n, int h, SplittableRandom random, boolean singularAllowed) {
        int[] order = permutation(n, random);
        int merged = Math.min(n, MERGED_ROWS);
        int subsets = Math.min(MAX_SUBSETS, n / SUBSET_ROWS);
        List<Estimate> candidates = new ArrayList<>();
        for (int s = 0; s < subsets; s++) {
            int from = s * merged / subsets;
            int to = (s + 1) * merged / subsets;
            double[] part = rowsOf(x, order, from, to);
            int rows = to - from;
            int hPart = scaledSupport(rows, h, n);
            List<Estimate> best = new ArrayList<>();
            for (int t = 0; t < TRIALS / subsets; t++) {
                keep(best, trial(part, rows, hPart, random, singularAllowed), BEST);
            }
            candidates.addAll(best);
        }
        double[] pooled = rowsOf(x, order, 0, merged);
        int hPooled = scaledSupport(merged, h, n);
        List<Estimate> best = new ArrayList<>();
        for (Estimate candidate : candidates) {
            keep(best, refine(pooled, merged, hPooled, candidate, INITIAL_C_STEPS, singularAllowed), BEST);
        }
        return converge(x, n, h, best, singularAllowed);
    }

    private Estimate converge(double[] x, int n, int h, List<Estimate> starts, boolean singularAllowed) {
        List<Estimate> best = new ArrayList<>();
        for (Estimate start : starts) {
            keep(best, refine(x, n, h, start, MAX_C_STEPS, singularAllowed), 1);
        }
        return best.isEmpty() ? null : best.get(0);
    }

    /** Exact univariate MCD: among windows of h consecutive order statistics, the one of least variance. */
    private Estimate univariate(double[] x, int n, int h) {
        int[] sorted = IntStream.range(0, n).boxed().sorted(Comparator.comparingDouble(r -> x[r]))
                .mapToInt(Integer::intValue).toArray();
        double shift = x[sorted[n / 2]];
        double[] sum = new double[n + 1];
        double[] sumSquares = new double[n + 1];
        for (int i = 0; i < n; i++) {
            double v = x[sorted[i]] - shift;
            sum[i + 1] = sum[i] + v;
            sumSquares[i + 1] = sumSquares[i] + v * v;
        }
        int start = 0;
        double least = Double.POSITIVE_INFINITY;
        for (int i = 0; i + h <= n; i++) {
            double s = sum[i + h] - sum[i];
            double spread = sumSquares[i + h] - sumSquares[i] - s * s / h;
            if (spread < least) {
                least = spread;
                start = i;
            }
        }
        int[] support = Arrays.copyOfRange(sorted, start, start + h);
        Arrays.sort(support);
        return estimate(x, support, h, true);
    }

    /**
     * One random start and its first C-steps: from a random (d+1)-subset as in the paper; if its first C-step leads
     * to a singular h-subset (and singular supports are not allowed), from a random h-subset instead (scikit-learn's start), which
     * stays the candidate when the C-steps from it lead to singular supports too.
     */
    private Estimate trial(double[] x, int n, int h, SplittableRandom random, boolean singularAllowed) {
        Estimate e = refine(x, n, h, initial(x, n, h, d + 1, random), INITIAL_C_STEPS, singularAllowed);
        if (e != null || singularAllowed) {
            return e;
        }
        Estimate half = initial(x, n, h, h, random);
        if (half.singular()) {
            return null;
        }
        Estimate refined = refine(x, n, h, half, INITIAL_C_STEPS, false);
        return refined != null && refined.logDet() < half.logDet() ? refined : half;
    }

    /** The estimate of a random subset of {@code start} rows, grown by further random rows while it is singular. */
    private Estimate initial(double[] x, int n, int h, int start, SplittableRandom random) {
        int[] order = IntStream.range(0, n).toArray();
        int size = 0;
        while (size < Math.min(start, h)) {
            swapIn(order, size++, random);
        }
        while (true) {
            Estimate e = estimate(x, order, size, size == h || !regularData);
            if (e != null) {
                return e;
            }
            swapIn(order, size++, random);
        }
    }

    /**
     * One C-step from the start, then up to {@code steps} more while the determinant decreases and, unless
     * {@code singularAllowed}, the new support is regular; null when the first step's support is singular and that is
     * not allowed.
     */
    private Estimate refine(double[] x, int n, int h, Estimate start, int steps, boolean singularAllowed) {
        double[] distances = new double[n];
        double[] scratch = new double[n];
        Estimate current = step(x, n, h, start, distances, scratch, singularAllowed);
        if (current == null) {
            return null;
        }
        for (int s = 0; s < steps; s++) {
            Estimate next = step(x, n, h, current, distances, scratch, singularAllowed);
            if (next == null || !(next.logDet() < current.logDet())) {
                break;
            }
            current = next;
        }
        return current;
    }

    private Estimate step(double[] x, int n, int h, Estimate from, double[] distances, double[] scratch,
            boolean singularAllowed) {
        double[] z = new double[d];
        for (int r = 0; r < n; r++) {
            distances[r] = squaredDistance(x, r * d, from.location(), from.lower(), z);
        }
        int[] support = smallest(distances, n, h, scratch);
        return estimate(x, support, h, singularAllowed);
    }

    private double[] distances(double[] x, int n, Estimate e) {
        double[] out = new double[n];
        double[] z = new double[d];
        for (int r = 0; r < n; r++) {
            out[r] = squaredDistance(x, r * d, e.location(), e.lower(), z);
        }
        return out;
    }

    /**
     * Mean and biased covariance of rows {@code rows[0..count)} of x, shrunk; when singular, null, or if allowed its
     * semidefinite factor.
     */
    private Estimate estimate(double[] x, int[] rows, int count, boolean singularAllowed) {
        double[] mean = new double[d];
        for (int k = 0; k < count; k++) {
            int o = rows[k] * d;
            for (int j = 0; j < d; j++) {
                mean[j] += x[o + j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= count;
        }
        double[][] cov = new double[d][d];
        double[] v = new double[d];
        for (int k = 0; k < count; k++) {
            int o = rows[k] * d;
            for (int j = 0; j < d; j++) {
                v[j] = x[o + j] - mean[j];
            }
            for (int i = 0; i < d; i++) {
                double vi = v[i];
                double[] ci = cov[i];
                for (int j = 0; j <= i; j++) {
                    ci[j] += vi * v[j];
                }
            }
        }
        for (int i = 0; i < d; i++) {
            for (int j = 0; j <= i; j++) {
                double c = cov[i][j] / count * (i == j ? 1 : 1 - shrinkage);
                cov[i][j] = c;
                cov[j][i] = c;
            }
        }
        double[][] lower = regularFactor(cov);
        boolean[] ignored = new boolean[d];
        if (lower == null) {
            if (!singularAllowed) {
                return null;
            }
            lower = semidefiniteFactor(cov, ignored);
        }
        double logDet = 0;
        for (int i = 0; i < d; i++) {
            logDet += ignored[i] ? Math.log(SINGULAR_PIVOT * variances[i]) : 2 * Math.log(lower[i][i]);
        }
        int[] support = Arrays.copyOf(rows, count);
        Arrays.sort(support);
        return new Estimate(mean, cov, lower, logDet, support, ignored);
    }

    /**
     * The Cholesky factor when every pivot² (the variance of a column given the earlier ones) is at least 1e-12 of
     * that column's variance over all rows, else null. Relative to all rows, not to the subset's own diagonal: a
     * column constant on the subset has a diagonal of rounding noise (1e-29, not 0) and a pivot equal to it.
     */
    private double[][] regularFactor(double[][] a) {
        double[][] lower;
        try {
            lower = Cholesky.factor(a);
        } catch (IllegalArgumentException notPositiveDefinite) {
            return null;
        }
        for (int i = 0; i < a.length; i++) {
            if (!(lower[i][i] * lower[i][i] >= SINGULAR_PIVOT * variances[i])) {
                return null;
            }
        }
        return lower;
    }

    /**
     * The Cholesky factor of a positive semidefinite matrix that skips each column whose pivot² is below 1e-12 of its
     * variance over all rows (marked in {@code ignored}): its diagonal entry is +∞ and the rest of its column 0, so
     * forward substitution gives it a zero coordinate and a distance is the Mahalanobis distance of the other
     * columns. {@link Cholesky#factor} stops at such a pivot, hence this variant.
     */
    private double[][] semidefiniteFactor(double[][] a, boolean[] ignored) {
        double[][] l = new double[d][d];
        for (int j = 0; j < d; j++) {
            double pivot = a[j][j];
            for (int k = 0; k < j; k++) {
                pivot -= l[j][k] * l[j][k];
            }
            if (!(pivot >= SINGULAR_PIVOT * variances[j])) {
                ignored[j] = true;
                l[j][j] = Double.POSITIVE_INFINITY;
                continue;
            }
            l[j][j] = Math.sqrt(pivot);
            for (int i = j + 1; i < d; i++) {
                double sum = a[i][j];
                for (int k = 0; k < j; k++) {
                    sum -= l[i][k] * l[j][k];
                }
                l[i][j] = sum / l[j][j];
            }
        }
        return l;
    }

    /** (x − μ)ᵀ Σ⁻¹ (x − μ) with Σ = L Lᵀ, by forward substitution; z is scratch of length d. */
    static double squaredDistance(double[] x, int offset, double[] location, double[][] lower, double[] z) {
        int d = location.length;
        double sum = 0;
        for (int i = 0; i < d; i++) {
            double[] li = lower[i];
            double t = x[offset + i] - location[i];
            for (int k = 0; k < i; k++) {
                t -= li[k] * z[k];
            }
            t /= li[i];
            z[i] = t;
            sum += t * t;
        }
        return sum;
    }

    /** Indices (ascending) of the h smallest distances; ties at the h-th value go to the lower indices. */
    private static int[] smallest(double[] distances, int n, int h, double[] scratch) {
        System.arraycopy(distances, 0, scratch, 0, n);
        double threshold = select(scratch, n, h - 1);
        int below = 0;
        for (int r = 0; r < n; r++) {
            if (distances[r] < threshold) {
                below++;
            }
        }
        int ties = h - below;
        int[] out = new int[h];
        int c = 0;
        for (int r = 0; r < n && c < h; r++) {
            double v = distances[r];
            if (v < threshold || (v == threshold && ties-- > 0)) {
                out[c++] = r;
            }
        }
        return out;
    }

    /** The k-th smallest (0-based) of a[0..n) by quickselect; reorders a. */
    private static double select(double[] a, int n, int k) {
        int lo = 0;
        int hi = n - 1;
        while (lo < hi) {
            double pivot = a[(lo + hi) >>> 1];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    double t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                    i++;
                    j--;
                }
            }
            if (k <= j) {
                hi = j;
            } else if (k >= i) {
                lo = i;
            } else {
                return a[k];
            }
        }
        return a[k];
    }

    /** Keeps the {@code cap} estimates of least log-determinant, earlier ones first on ties; ignores null. */
    private static void keep(List<Estimate> best, Estimate e, int cap) {
        if (e == null) {
            return;
        }
        int at = best.size();
        while (at > 0 && e.logDet() < best.get(at - 1).logDet()) {
            at--;
        }
        if (at < cap) {
            best.add(at, e);
            if (best.size() > cap) {
                best.remove(cap);
            }
        }
    }

    private static void swapIn(int[] order, int position, SplittableRandom random) {
        int pick = position + random.nextInt(order.length - position);
        int t = order[position];
        order[position] = order[pick];
        order[pick] = t;
    }

    private static int[] permutation(int n, SplittableRandom random) {
        int[] order = IntStream.range(0, n).toArray();
        for (int i = 0; i < n - 1; i++) {
            swapIn(order, i, random);
        }
        return order;
    }

    private double[] rowsOf(double[] x, int[] order, int from, int to) {
        double[] out = new double[(to - from) * d];
        for (int k = from; k < to; k++) {
            System.arraycopy(x, order[k] * d, out, (k - from) * d, d);
        }
        return out;
    }

    /** ⌈rows · h / n⌉: the support size that keeps the fraction h/n on a subset of the rows. */
    private static int scaledSupport(int rows, int h, int n) {
        return (int) ((rows * (long) h + n - 1) / n);
    }

    private static double[] columnVariances(double[] x, int n, int d) {
        double[] mean = new double[d];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < d; j++) {
                mean[j] += x[r * d + j];
            }
        }
        double[] var = new double[d];
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < d; j++) {
                double v = x[r * d + j] - mean[j];
                var[j] += v * v;
            }
        }
        for (int j = 0; j < d; j++) {
            var[j] /= n;
        }
        return var;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }
}
