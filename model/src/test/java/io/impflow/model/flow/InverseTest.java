package io.impflow.model.flow;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import io.impflow.model.RandomFlows;
import io.impflow.model.solver.SolverSettings;
import io.impflow.model.train.TrainableFlow;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 3, test 3: inverse(forward(x)) = x, residuals reach the tolerance, and a batch with one row 1e3 standard
 * deviations out converges row by row with that row's own residual reported.
 */
class InverseTest {

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void inverseUndoesForwardAndOutlierConvergesOnItsOwn(Architecture architecture) {
        int d = 4;
        int n = 64;
        int outlier = 17;
        try (TrainableFlow trainable = RandomFlows.create(architecture, d, 3, 16, 2, ActivationKind.LIPSWISH, 0.95, 3);
             NDManager manager = Engine.getInstance().newBaseManager()) {
            Flow flow = Flow.create(trainable.spec(), trainable.effectiveWeights(), manager);
            Random random = new Random(5);
            double[][] x = new double[n][d];
            for (double[] row : x) {
                for (int j = 0; j < d; j++) {
                    row[j] = random.nextGaussian();
                }
            }
            x[outlier] = new double[] {1e3, -1e3, 1e3, 0.5};

            BlockOutput forward = flow.blocks().forward(manager.create(x), SolverSettings.DEFAULT);
            BlockOutput back = flow.blocks().inverse(forward.output(), SolverSettings.DEFAULT);
            double[] roundTrip = back.output().toDoubleArray();

            assertThat(forward.converged()).containsOnly(true);
            assertThat(back.converged()).containsOnly(true);
            for (int i = 0; i < n; i++) {
                double scale = 0;
                for (int j = 0; j < d; j++) {
                    scale = Math.max(scale, Math.abs(x[i][j]));
                }
                for (int j = 0; j < d; j++) {
                    assertThat(Math.abs(roundTrip[i * d + j] - x[i][j])).as("row %d feature %d", i, j)
                            .isLessThanOrEqualTo(1e-9 * Math.max(1, scale));
                }
                assertThat(forward.residual()[i]).as("forward residual of row %d", i).isLessThanOrEqualTo(1e-10);
                assertThat(back.residual()[i]).as("inverse residual of row %d", i).isLessThanOrEqualTo(1e-10);
                assertThat(back.logDet()[i]).isCloseTo(-forward.logDet()[i],
                        org.assertj.core.api.Assertions.within(1e-9));
            }
            // Diagnostics are per row: the outlier reports its own (converged, non-placeholder) residual from the
            // direction that solves (ImpFlow: both; ResFlow: the inverse).
            BlockOutput solved = architecture == Architecture.IMPFLOW ? forward : back;
            assertThat(solved.residual()[outlier]).isGreaterThan(0).isLessThanOrEqualTo(1e-10);
            assertThat(solved.residual()[outlier]).isNotEqualTo(solved.residual()[0]);
            assertThat(solved.iterations()[outlier]).isPositive();
        }
    }
}
