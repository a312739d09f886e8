package io.impflow.model.flow;

import ai.djl.ndarray.NDArray;
import io.impflow.model.nn.LipschitzMlp;
import io.impflow.model.solver.NewtonSolver;
import io.impflow.model.solver.SolverResult;
import io.impflow.model.solver.SolverSettings;

/**
 * Implicit block: z is the unique root of F(z, x) = x + g_x(x) − z − g_z(z), i.e. z + g_z(z) = x + g_x(x);
 * log det ∂z/∂x = log det(I + J_gx(x)) − log det(I + J_gz(z)). The inverse swaps the roles of g_x and g_z.
 */
public final class ImpFlowBlock implements Block {
    private final LipschitzMlp gx;
    private final LipschitzMlp gz;

    /**
     * @param gx residual MLP on the input side
     * @param gz residual MLP on the output side
     */
    public ImpFlowBlock(LipschitzMlp gx, LipschitzMlp gz) {
        this.gx = gx;
        this.gz = gz;
    }

    /** The input-side MLP g_x. */
    public LipschitzMlp gx() {
        return gx;
    }

    /** The output-side MLP g_z. */
    public LipschitzMlp gz() {
        return gz;
    }

    @Override
    public BlockOutput forward(NDArray x, SolverSettings settings) {
        return solveSide(x, gx, gz, settings);
    }

    @Override
    public BlockOutput inverse(NDArray z, SolverSettings settings) {
        return solveSide(z, gz, gx, settings);
    }

    /** Given a, find b with b + g_b(b) = a + g_a(a), starting at b₀ = a; log det ∂b/∂a. */
    private static BlockOutput solveSide(NDArray a, LipschitzMlp ga, LipschitzMlp gb, SolverSettings settings) {
        ResidualLogDet.Result known = ResidualLogDet.of(ga, a);
        NDArray rhs = a.add(known.g());
        SolverResult solved = new NewtonSolver(settings).solve(gb, rhs, a);
        double[] logDetB = ResidualLogDet.of(gb, solved.solution()).logDet();
        double[] logDet = new double[logDetB.length];
        for (int i = 0; i < logDet.length; i++) {
            logDet[i] = known.logDet()[i] - logDetB[i];
        }
        return new BlockOutput(solved.solution(), logDet, solved.residual(), solved.iterations(), solved.converged());
    }
}
