package io.impflow.model.solver;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import io.impflow.model.nn.LipschitzMlp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Solves u + g(u) = y row by row for a residual MLP g with Lip(g) &lt; 1 (so I + J_g is invertible and the Newton
 * direction is a descent direction of ‖F‖), by Newton's method with a chord variant and backtracking.
 *
 * <p>Each iteration steps u ← u − t·A·F(u) with A = (I + J_g(u_ref))⁻¹ (DJL batched {@code inverse}); A is
 * refreshed at the current iterate when a full chord step fails the sufficient-decrease test or when the worst
 * residual contracted by less than {@value #REFRESH_CONTRACTION}, which keeps Newton's fast local convergence while
 * building few Jacobians. Convergence is tested per row; converged (or failed) rows leave the active set, so only
 * unconverged rows keep iterating and an outlier cannot hide behind a batch norm. Runs without a graph; call with
 * grad mode off.
 */
public final class NewtonSolver {
    /** Refresh the Jacobian when the worst active residual shrank by less than this factor in one step. */
    static final double REFRESH_CONTRACTION = 0.25;
    private static final double ARMIJO = 1e-4;

    private final SolverSettings settings;

    /** @param settings stopping rules */
    public NewtonSolver(SolverSettings settings) {
        this.settings = settings;
    }

    /**
     * Solves u + g(u) = y for every row.
     *
     * @param g the residual MLP
     * @param rhs y, shape (n, d), float64
     * @param start initial iterate u₀, shape (n, d)
     * @return solution in input order and per-row diagnostics
     */
    public SolverResult solve(LipschitzMlp g, NDArray rhs, NDArray start) {
        int n = Math.toIntExact(rhs.getShape().get(0));
        NDManager manager = rhs.getManager();
        double[] residual = new double[n];
        int[] iterations = new int[n];
        boolean[] converged = new boolean[n];
        boolean[] stalled = new boolean[n];
        if (n == 0) {
            return new SolverResult(start, residual, iterations, converged);
        }
        double[] scale = rhs.norm(new int[] {1}).toDoubleArray();
        for (int i = 0; i < n; i++) {
            scale[i] = Math.max(1.0, scale[i]);
        }
        int[] active = new int[n];
        Arrays.setAll(active, i -> i);
        List<NDArray> doneChunks = new ArrayList<>();
        List<int[]> doneRows = new ArrayList<>();

        NDArray u = start;
        NDArray y = rhs;
        NDArray f;
        double[] res;
        NDArray inverse;
        try (NDScope scope = new NDScope()) {
            // One evaluation at u₀ gives both F(u₀) and the first Newton matrix.
            LipschitzMlp.Evaluation first = g.evaluate(u);
            f = u.add(first.output()).sub(y);
            inverse = inverseOf(g, first, u);
            NDScope.unregister(f, inverse);
        }
        res = relativeNorms(f, active, scale);
        boolean fresh = true;
        int iteration = 0;
        while (true) {
            // Rows leave the active set when converged, broken (non-finite) or out of iterations.
            boolean[] leave = new boolean[active.length];
            int leaving = 0;
            for (int k = 0; k < active.length; k++) {
                int row = active[k];
                residual[row] = res[k];
                if (res[k] <= settings.tolerance()) {
                    converged[row] = true;
                    leave[k] = true;
                } else if (!Double.isFinite(res[k]) || stalled[row] || iteration >= settings.maxIterations()) {
                    leave[k] = true;
                }
                if (leave[k]) {
                    leaving++;
                }
            }
            if (leaving > 0) {
                try (NDScope scope = new NDScope()) {
                    NDArray done = u.get(manager.create(positions(leave, true)));
                    NDScope.unregister(done);
                    doneChunks.add(done);
                    doneRows.add(select(active, leave, true));
                    if (leaving < active.length) {
                        NDArray keep = manager.create(positions(leave, false));
                        u = u.get(keep);
                        y = y.get(keep);
                        f = f.get(keep);
                        NDScope.unregister(u, y, f);
                        if (inverse != null) {
                            inverse = inverse.get(keep);
                            NDScope.unregister(inverse);
                        }
                    }
                }
                res = select(res, leave, false);
                active = select(active, leave, false);
            }
            if (active.length == 0) {
                break;
            }
            double worstContraction = 0;
            try (NDScope scope = new NDScope()) {
                if (inverse == null) {
                    inverse = jacobianInverse(g, u);
                    fresh = true;
                }
                double[] t = new double[active.length];
                Arrays.fill(t, 1.0);
                NDArray step = stepOf(f, inverse);
                NDArray uTry = u.sub(step);
                NDArray fTry = residualOf(g, uTry, y);
                double[] resTry = relativeNorms(fTry, active, scale);
                boolean[] rejected = rejected(res, resTry, t);
                if (any(rejected) && !fresh) {
                    // The stale chord matrix gave no descent: take a true Newton step from here.
                    inverse = jacobianInverse(g, u);
                    fresh = true;
                    step = stepOf(f, inverse);
                    uTry = u.sub(step);
                    fTry = residualOf(g, uTry, y);
                    resTry = relativeNorms(fTry, active, scale);
                    rejected = rejected(res, resTry, t);
                }
                for (int halving = 0; halving < settings.maxHalvings() && any(rejected); halving++) {
                    for (int k = 0; k < t.length; k++) {
                        if (rejected[k]) {
                            t[k] *= 0.5;
                        }
                    }
                    NDArray tColumn = manager.create(t).toType(u.getDataType(), false).expandDims(1);
                    uTry = u.sub(step.mul(tColumn));
                    fTry = residualOf(g, uTry, y);
                    resTry = relativeNorms(fTry, active, scale);
                    rejected = rejected(res, resTry, t);
                }
                for (int k = 0; k < active.length; k++) {
                    if (rejected[k]) {
                        // Line search exhausted: no descent left at float64 precision; the row stops unconverged.
                        stalled[active[k]] = true;
                    } else {
                        worstContraction = Math.max(worstContraction, resTry[k] / res[k]);
                    }
                    iterations[active[k]]++;
                }
                u = uTry;
                f = fTry;
                res = resTry;
                NDScope.unregister(u, f, inverse);
            }
            fresh = false;
            iteration++;
            if (worstContraction > REFRESH_CONTRACTION) {
                inverse = null;
            }
        }
        NDArray solution = assemble(manager, doneChunks, doneRows, n, rhs.getDataType());
        return new SolverResult(solution, residual, iterations, converged);
    }

    /** Row-wise F·A for A of shape (n, d, d), as a broadcast product and sum (cheaper than n tiny GEMMs). */
    private static NDArray stepOf(NDArray f, NDArray inverse) {
        return f.expandDims(2).mul(inverse).sum(new int[] {1});
    }

    /** F(u) = u + g(u) − y. */
    private static NDArray residualOf(LipschitzMlp g, NDArray u, NDArray y) {
        return u.add(g.apply(u)).sub(y);
    }

    /** (I + J_g(u))⁻ᵀ per row, laid out so that a row step is F·A: (n, d, d). */
    private static NDArray jacobianInverse(LipschitzMlp g, NDArray u) {
        return inverseOf(g, g.evaluate(u), u);
    }

    private static NDArray inverseOf(LipschitzMlp g, LipschitzMlp.Evaluation evaluation, NDArray u) {
        NDArray jt = g.transposedJacobian(evaluation);
        int d = Math.toIntExact(u.getShape().get(1));
        return jt.add(u.getManager().eye(d, d, 0, u.getDataType())).inverse();
    }

    private static double[] relativeNorms(NDArray f, int[] active, double[] scale) {
        double[] norms = f.norm(new int[] {1}).toDoubleArray();
        for (int k = 0; k < norms.length; k++) {
            norms[k] /= scale[active[k]];
        }
        return norms;
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

    /** Positions k where mask[k] == want, as row indices. */
    private static long[] positions(boolean[] mask, boolean want) {
        long[] out = new long[mask.length];
        int j = 0;
        for (int k = 0; k < mask.length; k++) {
            if (mask[k] == want) {
                out[j++] = k;
            }
        }
        return Arrays.copyOf(out, j);
    }

    private static int[] select(int[] values, boolean[] mask, boolean want) {
        int count = 0;
        for (boolean b : mask) {
            if (b == want) {
                count++;
            }
        }
        int[] out = new int[count];
        int j = 0;
        for (int k = 0; k < values.length; k++) {
            if (mask[k] == want) {
                out[j++] = values[k];
            }
        }
        return out;
    }

    private static double[] select(double[] values, boolean[] mask, boolean want) {
        double[] out = new double[values.length];
        int j = 0;
        for (int k = 0; k < values.length; k++) {
            if (mask[k] == want) {
                out[j++] = values[k];
            }
        }
        return Arrays.copyOf(out, j);
    }

    /** Puts finished chunks back into input row order. */
    private static NDArray assemble(NDManager manager, List<NDArray> chunks, List<int[]> rows, int n, DataType type) {
        if (chunks.size() == 1 && isIdentity(rows.get(0))) {
            return chunks.get(0);
        }
        long[] position = new long[n];
        int offset = 0;
        for (int[] r : rows) {
            for (int k = 0; k < r.length; k++) {
                position[r[k]] = offset + k;
            }
            offset += r.length;
        }
        try (NDScope scope = new NDScope()) {
            NDArray all = NDArrays.concat(new NDList(chunks), 0);
            NDArray ordered = all.get(manager.create(position));
            NDScope.unregister(ordered);
            return ordered;
        }
    }

    private static boolean isIdentity(int[] rows) {
        for (int k = 0; k < rows.length; k++) {
            if (rows[k] != k) {
                return false;
            }
        }
        return true;
    }
}
