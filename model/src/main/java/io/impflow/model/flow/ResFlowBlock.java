package io.impflow.model.flow;

import ai.djl.ndarray.NDArray;
import io.impflow.model.nn.LipschitzMlp;
import io.impflow.model.solver.NewtonSolver;
import io.impflow.model.solver.SolverResult;
import io.impflow.model.solver.SolverSettings;
import java.util.Arrays;

/** Residual block z = x + g(x) with log det(I + J_g(x)); the inverse solves x + g(x) = z. */
public final class ResFlowBlock implements Block {
    private final LipschitzMlp g;

    /** @param g the residual MLP */
    public ResFlowBlock(LipschitzMlp g) {
        this.g = g;
    }

    /** The residual MLP g. */
    public LipschitzMlp g() {
        return g;
    }

    @Override
    public BlockOutput forward(NDArray x, SolverSettings settings) {
        ResidualLogDet.Result r = ResidualLogDet.of(g, x);
        int n = r.logDet().length;
        boolean[] converged = new boolean[n];
        Arrays.fill(converged, true);
        return new BlockOutput(x.add(r.g()), r.logDet(), new double[n], new int[n], converged);
    }

    @Override
    public BlockOutput inverse(NDArray z, SolverSettings settings) {
        SolverResult solved = new NewtonSolver(settings).solve(g, z, z);
        double[] logDet = ResidualLogDet.of(g, solved.solution()).logDet();
        for (int i = 0; i < logDet.length; i++) {
            logDet[i] = -logDet[i];
        }
        return new BlockOutput(solved.solution(), logDet, solved.residual(), solved.iterations(), solved.converged());
    }
}
