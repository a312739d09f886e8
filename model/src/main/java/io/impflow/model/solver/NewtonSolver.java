package io.impflow.model.solver;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.impflow.model.linalg.BatchedLu;
import io.impflow.model.nn.LipschitzMlp;
import java.nio.DoubleBuffer;
import java.util.Arrays;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/**
 * Solves u + g(u) = y row by row for a residual MLP g with Lip(g) &lt; 1 (so I + J_g is invertible and the Newton
 * direction is a descent direction of ‖F‖), by Newton's method with a chord variant and backtracking.
 *
 * <p>Each iteration steps u ← u − t·δ with (I + J_g(u_ref))·δ = F(u), solved with a float64 LU kept per row in
 * Java; a row's matrix is refreshed at its current iterate when its full chord step fails the sufficient-decrease
 * test or when its residual contracted by less than {@value #REFRESH_CONTRACTION}, which keeps Newton's fast local
 * convergence while building few Jacobians. Every decision is per row, so a row's iterates do not depend on its
 * batch mates. The iterate, F, the steps and the line search live on the host: only
 * the MLP passes and the Jacobians run in DJL, so an iteration costs a handful of native calls whatever the batch.
 * Convergence is tested per row in float64; converged (or failed) rows leave the active set, so only unconverged
 * rows keep iterating and an outlier cannot hide behind a batch norm. Runs without a graph; call with grad mode off.
 */
public final class NewtonSolver {
    /** Refresh a row's Jacobian when its residual shrank by less than this factor in one step. */
    static final double REFRESH_CONTRACTION = 0.25;
    /**
     * Chord steps (no new Jacobian) a converged row may still take while each one at least halves its residual: from
     * the tolerance down to float64's noise floor, so the returned root no longer depends on how the iteration got
     * there (the rounding of batched products steers rows differently in different batches) and streamed scores
     * equal offline ones.
     */
    static final int MAX_POLISH_STEPS = 3;
    /** Relative residual below which F is rounding noise: polishing stops there. */
    static final double POLISH_FLOOR = 1e-15;
    private static final double ARMIJO = 1e-4;

    private final SolverSettings settings;

    /** @param settings stopping rules */
    public NewtonSolver(SolverSettings settings) {
        this.settings = settings;
    }

    /**
     * Solves u + g(u) = y for every row, with Newton matrices from g itself.
     *
     * @param g the residual MLP (float64)
     * @param rhs y, shape (n, d), float64
     * @param start initial iterate u₀, shape (n, d), float64
     * @return solution in input order (on rhs's manager) and per-row diagnostics
     */
    public SolverResult solve(LipschitzMlp g, NDArray rhs, NDArray start) {
        return solve(g, g, rhs, start);
    }

    /**
     * Solves u + g(u) = y for every row, with the Newton (chord) matrices I + J taken from {@code chord}, the same
     * MLP possibly in a cheaper dtype (a float32 copy). The matrices only steer the iteration: F(u), the residuals
     * and the convergence test always use g in float64, so the solution meets the same tolerance either way.
     *
     * @param g the residual MLP (float64)
     * @param chord g or a copy of it in another dtype, for the Newton matrices
     * @param rhs y, shape (n, d), float64
     * @param start initial iterate u₀, shape (n, d), float64
     * @return solution in input order (on rhs's manager) and per-row diagnostics
     */
    public SolverResult solve(LipschitzMlp g, LipschitzMlp chord, NDArray rhs, NDArray start) {
        int n = Math.toIntExact(rhs.getShape().get(0));
        if (n == 0) {
            return new SolverResult(start, new double[0], new int[0], new boolean[0]);
        }
        int d = Math.toIntExact(rhs.getShape().get(1));
        Run run;
        try (NDManager work = rhs.getManager().newSubManager()) {
            run = new Run(g, chord, work, rhs.toDoubleArray(), start.toDoubleArray(), n, d);
            run.iterate();
        }
        NDArray solution = rhs.getManager().create(run.u, new Shape(n, d));
        return new SolverResult(solution, run.residual, run.iterations, run.converged);
    }

    /** The state of one solve: host arrays indexed by input row, and the rows still iterating. */
    private final class Run {
        private final LipschitzMlp g;
        private final LipschitzMlp chord;
        private final NDManager manager;
        private final int d;
        private final double[] y;
        private final double[] u;
        private final double[] f;
        private final double[] scale;
        private final BatchedLu matrices;
        private final double[] residual;
        private final int[] iterations;
        private final boolean[] converged;
        private final boolean[] stalled;

        Run(LipschitzMlp g, LipschitzMlp chord, NDManager manager, double[] y, double[] u, int n, int d) {
            this.g = g;
            this.chord = chord;
            this.manager = manager;
            this.d = d;
            this.y = y;
            this.u = u;
            this.f = new double[n * d];
            this.scale = new double[n];
            for (int i = 0; i < n; i++) {
                scale[i] = Math.max(1.0, norm(y, i * d));
            }
            this.matrices = new BatchedLu(n, d);
            this.residual = new double[n];
            this.iterations = new int[n];
            this.converged = new boolean[n];
            this.stalled = new boolean[n];
        }

        void iterate() {
            int[] active = new int[residual.length];
            Arrays.setAll(active, i -> i);
            // When chord is g itself, one evaluation at u₀ gives both F(u₀) and the first Newton matrices.
            double[] gStart = refreshMatrices(active);
            storeResidual(active, gather(u, active), gStart != null ? gStart : apply(gather(u, active), active.length));
            double[] res = relativeNorms(gather(f, active), active);
            // Every decision below is taken per row, from that row's own numbers, so a row follows the same
            // iterates whichever rows share its batch: streamed micro-batches score like offline batches.
            boolean[] fresh = new boolean[residual.length];
            Arrays.fill(fresh, true);
            boolean[] refresh = new boolean[residual.length];
            int[] polished = new int[residual.length];
            int iteration = 0;
            while (true) {
                // Rows leave the active set when converged, broken (non-finite) or out of iterations.
                int kept = 0;
                for (int k = 0; k < active.length; k++) {
                    int row = active[k];
                    residual[row] = res[k];
                    if (res[k] <= settings.tolerance()) {
                        converged[row] = true;
                    }
                    // A converged row is polished (see MAX_POLISH_STEPS) with the chord matrix it has.
                    boolean keep = converged[row]
                            ? !stalled[row] && polished[row] < MAX_POLISH_STEPS && res[k] > POLISH_FLOOR
                            : Double.isFinite(res[k]) && !stalled[row] && iteration < settings.maxIterations();
                    if (keep) {
                        active[kept] = row;
                        res[kept] = res[k];
                        kept++;
                    }
                }
                if (kept == 0) {
                    break;
                }
                active = Arrays.copyOf(active, kept);
                res = Arrays.copyOf(res, kept);
                final int[] rows = active;
                int[] due = select(rows, k -> refresh[rows[k]] && !converged[rows[k]]);
                if (due.length > 0) {
                    refreshMatrices(due);
                    for (int row : due) {
                        fresh[row] = true;
                    }
                }
                int m = active.length;
                double[] t = new double[m];
                Arrays.fill(t, 1.0);
                double[] step = steps(active);
                double[] uTry = trial(active, step, t);
                double[] fTry = residualsAt(active, uTry);
                double[] resTry = relativeNorms(fTry, active);
                boolean[] rejected = rejected(res, resTry, t);
                boolean[] firstTry = rejected;
                int[] retry = positions(m, k -> firstTry[k] && !fresh[rows[k]] && !converged[rows[k]]);
                if (retry.length > 0) {
                    // A stale chord matrix gave no descent: those rows take a true Newton step from here.
                    retryWithFreshMatrices(active, retry, step, uTry, fTry, resTry);
                    for (int k : retry) {
                        fresh[active[k]] = true;
                    }
                    boolean[] again = rejected(res, resTry, t);
                    System.arraycopy(again, 0, rejected, 0, m);
                }
                // Only unconverged rows search along the step; a polishing row whose full step does not help stops.
                boolean[] searching = unconverged(rows, rejected);
                for (int halving = 0; halving < settings.maxHalvings() && any(searching); halving++) {
                    backtrack(active, step, t, searching, uTry, fTry, resTry);
                    boolean[] again = rejected(res, resTry, t);
                    System.arraycopy(again, 0, rejected, 0, m);
                    searching = unconverged(rows, rejected);
                }
                for (int k = 0; k < m; k++) {
                    int row = active[k];
                    if (converged[row]) {
                        if (rejected[k]) {
                            // Polishing is over: keep the better iterate it had.
                            stalled[row] = true;
                            resTry[k] = res[k];
                            continue;
                        }
                        polished[row]++;
                        // At the noise floor, or where a step no longer halves the residual, polishing is over.
                        stalled[row] = resTry[k] <= POLISH_FLOOR || resTry[k] > 0.5 * res[k];
                        refresh[row] = false;
                    } else {
                        if (rejected[k]) {
                            // Line search exhausted: no descent left at float64 precision; the row stops unconverged.
                            stalled[row] = true;
                        }
                        // Refresh this row's matrix when its residual contracted too little (Newton's fast local
                        // convergence with few Jacobians).
                        refresh[row] = !rejected[k] && resTry[k] / res[k] > REFRESH_CONTRACTION;
                    }
                    fresh[row] = false;
                    iterations[row]++;
                    System.arraycopy(uTry, k * d, u, row * d, d);
                    System.arraycopy(fTry, k * d, f, row * d, d);
                }
                res = resTry;
                iteration++;
            }
        }

        /** {@code rejected} restricted to rows that have not converged. */
        private boolean[] unconverged(int[] rows, boolean[] rejected) {
            boolean[] out = new boolean[rows.length];
            for (int k = 0; k < rows.length; k++) {
                out[k] = rejected[k] && !converged[rows[k]];
            }
            return out;
        }

        /**
         * Refactorizes the matrices of the rows at {@code positions} of {@code active} at their current iterate and
         * replaces their full steps, trial points and trial residuals, in place.
         */
        private void retryWithFreshMatrices(int[] active, int[] positions, double[] step, double[] uTry,
                                            double[] fTry, double[] resTry) {
            int[] rows = new int[positions.length];
            for (int i = 0; i < positions.length; i++) {
                rows[i] = active[positions[i]];
            }
            refreshMatrices(rows);
            double[] stepSub = steps(rows);
            double[] unit = new double[rows.length];
            Arrays.fill(unit, 1.0);
            double[] uSub = trial(rows, stepSub, unit);
            double[] fSub = residualsAt(rows, uSub);
            for (int i = 0; i < positions.length; i++) {
                int k = positions[i];
                System.arraycopy(stepSub, i * d, step, k * d, d);
                System.arraycopy(uSub, i * d, uTry, k * d, d);
                System.arraycopy(fSub, i * d, fTry, k * d, d);
                resTry[k] = norm(fSub, i * d) / scale[rows[i]];
            }
        }

        /** Halves t of the rejected rows and re-evaluates only those rows' trial points, in place. */
        private void backtrack(int[] active, double[] step, double[] t, boolean[] rejected, double[] uTry,
                               double[] fTry, double[] resTry) {
            int count = 0;
            for (boolean r : rejected) {
                if (r) {
                    count++;
                }
            }
            int[] rows = new int[count];
            int[] positions = new int[count];
            double[] uSub = new double[count * d];
            int j = 0;
            for (int k = 0; k < active.length; k++) {
                if (rejected[k]) {
                    t[k] *= 0.5;
                    int row = active[k];
                    for (int c = 0; c < d; c++) {
                        uTry[k * d + c] = u[row * d + c] - t[k] * step[k * d + c];
                    }
                    System.arraycopy(uTry, k * d, uSub, j * d, d);
                    rows[j] = row;
                    positions[j] = k;
                    j++;
                }
            }
            double[] fSub = residualsAt(rows, uSub);
            for (int i = 0; i < count; i++) {
                int k = positions[i];
                System.arraycopy(fSub, i * d, fTry, k * d, d);
                resTry[k] = norm(fSub, i * d) / scale[rows[i]];
            }
        }

        /**
         * Factorizes I + J at the current iterate of {@code rows} with the chord MLP; returns g(u) at those rows
         * when the chord MLP is g itself (the evaluation already computed it), else null.
         */
        private double[] refreshMatrices(int[] rows) {
            {
                NDArray in = manager.create(gather(u, rows), new Shape(rows.length, d));
                LipschitzMlp.Evaluation e = chord.evaluate(in.toType(chord.dataType(), false));
                NDArray jt = chord.transposedJacobian(e).toType(DataType.FLOAT64, false);
                DoubleBuffer view = jt.toByteBuffer(true).asDoubleBuffer();
                for (int k = 0; k < rows.length; k++) {
                    matrices.loadIdentityPlusTransposed(rows[k], view, k);
                    matrices.factor(rows[k]);
                }
                return chord == g ? e.output().toDoubleArray() : null;
            }
        }

        /** g at m host rows, in float64. */
        private double[] apply(double[] rows, int m) {
            return g.apply(manager.create(rows, new Shape(m, d))).toDoubleArray();
        }

        /** F = u + g(u) − y at trial points {@code uRows} of {@code rows}. */
        private double[] residualsAt(int[] rows, double[] uRows) {
            double[] out = apply(uRows, rows.length);
            for (int k = 0; k < rows.length; k++) {
                int from = rows[k] * d;
                for (int c = 0; c < d; c++) {
                    out[k * d + c] += uRows[k * d + c] - y[from + c];
                }
            }
            return out;
        }

        /** Stores F = u + g(u) − y for {@code rows} into f. */
        private void storeResidual(int[] rows, double[] uRows, double[] gRows) {
            for (int k = 0; k < rows.length; k++) {
                int at = rows[k] * d;
                for (int c = 0; c < d; c++) {
                    f[at + c] = uRows[k * d + c] + gRows[k * d + c] - y[at + c];
                }
            }
        }

        /** Newton (chord) steps δ = (I + J)⁻¹·F of {@code rows}, packed. */
        private double[] steps(int[] rows) {
            double[] step = new double[rows.length * d];
            for (int k = 0; k < rows.length; k++) {
                matrices.solve(rows[k], f, rows[k] * d, step, k * d);
            }
            return step;
        }

        /** u − t·δ for {@code rows}, packed. */
        private double[] trial(int[] rows, double[] step, double[] t) {
            double[] out = new double[rows.length * d];
            for (int k = 0; k < rows.length; k++) {
                int from = rows[k] * d;
                for (int c = 0; c < d; c++) {
                    out[k * d + c] = u[from + c] - t[k] * step[k * d + c];
                }
            }
            return out;
        }

        /** ‖F‖₂ / max(1, ‖y‖₂) of each of {@code rows}, from F packed in the same order. */
        private double[] relativeNorms(double[] packed, int[] rows) {
            double[] out = new double[rows.length];
            for (int k = 0; k < rows.length; k++) {
                out[k] = norm(packed, k * d) / scale[rows[k]];
            }
            return out;
        }

        private double[] gather(double[] values, int[] rows) {
            double[] out = new double[rows.length * d];
            for (int k = 0; k < rows.length; k++) {
                System.arraycopy(values, rows[k] * d, out, k * d, d);
            }
            return out;
        }

        private double norm(double[] values, int offset) {
            double sum = 0;
            for (int c = 0; c < d; c++) {
                double v = values[offset + c];
                sum += v * v;
            }
            return Math.sqrt(sum);
        }
    }

    /** The entries of {@code active} at the positions where {@code test} holds. */
    private static int[] select(int[] active, IntPredicate test) {
        int[] at = positions(active.length, test);
        int[] out = new int[at.length];
        for (int i = 0; i < at.length; i++) {
            out[i] = active[at[i]];
        }
        return out;
    }

    /** The positions 0..m-1 where {@code test} holds. */
    private static int[] positions(int m, IntPredicate test) {
        return IntStream.range(0, m).filter(test).toArray();
    }

    /** Rows whose trial residual fails sufficient decrease ‖F(u − tδ)‖ ≤ (1 − 1e-4·t)‖F(u)‖. */
    private static boolean[] rejected(double[] res, double[] resTry, double[] t) {
        boolean[] out = new boolean[res.length];
        for (int k = 0; k < res.length; k++) {
            out[k] = !(resTry[k] <= (1 - ARMIJO * t[k]) * res[k]);
        }
        return out;
    }

    private static boolean any(boolean[] flags) {
        for (boolean b : flags) {
            if (b) {
                return true;
            }
        }
        return false;
    }
}
