package io.impflow.model.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import io.impflow.model.RandomFlows;
import io.impflow.model.solver.SolverSettings;
import io.impflow.model.train.TrainableFlow;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Issue 3, test 2: a 2-D flow with non-trivial weights integrates to one over a grid that holds its mass. */
class NormalizationTest {
    private static final double HALF_WIDTH = 9.0;
    private static final int CELLS = 240;

    @ParameterizedTest
    @CsvSource({"IMPFLOW, LIPSWISH", "RESFLOW, SIN"})
    void densityIntegratesToOne(Architecture architecture, ActivationKind activation) {
        try (TrainableFlow trainable = RandomFlows.create(architecture, 2, 2, 16, 2, activation, 0.95, 11);
             NDManager manager = Engine.getInstance().newBaseManager()) {
            Flow flow = Flow.create(trainable.spec(), trainable.effectiveWeights(), manager);
            double step = 2 * HALF_WIDTH / CELLS;
            double[][] grid = new double[CELLS * CELLS][];
            for (int a = 0; a < CELLS; a++) {
                for (int b = 0; b < CELLS; b++) {
                    grid[a * CELLS + b] = new double[] {-HALF_WIDTH + (a + 0.5) * step, -HALF_WIDTH + (b + 0.5) * step};
                }
            }
            FlowLikelihood result = flow.logLikelihood(manager.create(grid), SolverSettings.DEFAULT);
            assertThat(result.converged()).containsOnly(true);
            double mass = 0;
            double edge = 0;
            for (int k = 0; k < grid.length; k++) {
                double p = Math.exp(result.logLikelihood()[k]) * step * step;
                mass += p;
                int a = k / CELLS;
                int b = k % CELLS;
                if (a == 0 || b == 0 || a == CELLS - 1 || b == CELLS - 1) {
                    edge += p;
                }
            }
            assertThat(edge).as("mass on the grid's border cells").isLessThan(1e-6);
            assertThat(mass).isCloseTo(1.0, within(1e-3));
        }
    }
}
