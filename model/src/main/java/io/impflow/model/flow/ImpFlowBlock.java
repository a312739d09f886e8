package io.impflow.model.flow;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.impflow.model.nn.LipschitzMlp;
import io.impflow.model.solver.NewtonSolver;
import io.impflow.model.solver.SolverResult;
import io.impflow.model.solver.SolverSettings;

/**
 * Implicit block: z is the unique root of F(z, x) = x + g_x(x) − z − g_z(z), i.e. z + g_z(z) = x + g_x(x);
 * log det ∂z/∂x = log det(I + J_gx(x)) − log det(I + J_gz(z)). The inverse swaps the roles of g_x and g_z.
 *
 * <p>The solver's Newton matrices come from float32 copies of the MLPs (float32 GEMMs run about twice as fast):
 * they only steer the iteration, whose residuals and convergence test stay float64, and both log-determinants
 * come from float64 Jacobians, so the result is as exact as with float64 Newton matrices.
 */
public final class ImpFlowBlock implements Block {
    private final LipschitzMlp gx;
    private final LipschitzMlp gz;
    private final LipschitzMlp gxChord;
    private final LipschitzMlp gzChord;

    /**
     * @param gx residual MLP on the input side
     * @param gz residual MLP on the output side
     */
    public ImpFlowBlock(LipschitzMlp gx, LipschitzMlp gz) {
        this.gx = gx;
        this.gz = gz;
        this.gxChord = gx.toType(DataType.FLOAT32);
        this.gzChord = gz.toType(DataType.FLOAT32);
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
        return solveSide(x, gx, gz, gzChord, settings);
    }

    @Override
    public BlockOutput inverse(NDArray z, SolverSettings settings) {
        return solveSide(z, gz, gx, gxChord, settings);
    }

    /** Given a, find b with b + g_b(b) = a + g_a(a), starting at b₀ = a; log det ∂b/∂a. */
    private static BlockOutput solveSide(NDArray a, LipschitzMlp ga, LipschitzMlp gb, LipschitzMlp gbChord,
                                         SolverSettings settings) {
        ResidualLogDet.Result known = ResidualLogDet.of(ga, a);
        NDArray rhs = a.add(known.g());
        SolverResult solved = new NewtonSolver(settings).solve(gb, gbChord, rhs, a);
        double[] logDetB = ResidualLogDet.of(gb, solved.solution()).logDet();
        double[] logDet = new double[logDetB.length];
        for (int i = 0; i < logDet.length; i++) {
            logDet[i] = known.logDet()[i] - logDetB[i];
        }
        return new BlockOutput(solved.solution(), logDet, solved.residual(), solved.iterations(), solved.converged());
    }
}
