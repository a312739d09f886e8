package io.impflow.model.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import io.impflow.model.RandomFlows;
import io.impflow.model.linalg.LuDecomposition;
import io.impflow.model.solver.SolverSettings;
import io.impflow.model.train.TrainableFlow;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Issue 3, test 1: each block's and the whole flow's log-det equals log|det| of a finite-difference Jacobian. */
class LogDeterminantTest {
    private static final SolverSettings TIGHT = new SolverSettings(1e-14, 100, 40);
    private static final double H = 1e-5;

    @ParameterizedTest
    @CsvSource({"IMPFLOW, LIPSWISH", "IMPFLOW, SIN", "RESFLOW, LIPSWISH", "RESFLOW, SIN"})
    void logDetMatchesFiniteDifferenceJacobian(Architecture architecture, ActivationKind activation) {
        int d = 3;
        try (TrainableFlow trainable = RandomFlows.create(architecture, d, 2, 12, 2, activation, 0.95, 7);
             NDManager manager = Engine.getInstance().newBaseManager()) {
            Flow flow = Flow.create(trainable.spec(), trainable.effectiveWeights(), manager);
            double[][] x = {{0.3, -0.7, 1.1}, {-1.5, 0.2, 0.4}, {2.5, -2.0, 0.0}};
            List<Block> subjects = new ArrayList<>(flow.blocks().blocks());
            subjects.add(flow.blocks());
            for (Block block : subjects) {
                for (boolean forward : new boolean[] {true, false}) {
                    BlockOutput out = apply(block, manager, x, forward);
                    for (int i = 0; i < x.length; i++) {
                        double fd = finiteDifferenceLogDet(block, manager, x[i], forward);
                        assertThat(out.logDet()[i]).as("%s row %d forward=%s", block, i, forward)
                                .isCloseTo(fd, within(1e-7));
                    }
                }
            }
        }
    }

    private static BlockOutput apply(Block block, NDManager manager, double[][] rows, boolean forward) {
        BlockOutput out = forward ? block.forward(manager.create(rows), TIGHT) : block.inverse(manager.create(rows), TIGHT);
        assertThat(out.converged()).containsOnly(true);
        return out;
    }

    /** log|det| of the central-difference Jacobian of the block map at one row. */
    private static double finiteDifferenceLogDet(Block block, NDManager manager, double[] row, boolean forward) {
        int d = row.length;
        double[][] probes = new double[2 * d][];
        for (int j = 0; j < d; j++) {
            probes[2 * j] = row.clone();
            probes[2 * j][j] += H;
            probes[2 * j + 1] = row.clone();
            probes[2 * j + 1][j] -= H;
        }
        double[] out = apply(block, manager, probes, forward).output().toDoubleArray();
        double[] jacobian = new double[d * d];
        for (int j = 0; j < d; j++) {
            for (int r = 0; r < d; r++) {
                jacobian[r * d + j] = (out[2 * j * d + r] - out[(2 * j + 1) * d + r]) / (2 * H);
            }
        }
        return new LuDecomposition(jacobian, 0, d).logAbsDeterminant();
    }
}
