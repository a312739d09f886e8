package io.impflow.model.solver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.impflow.model.RandomFlows;
import io.impflow.model.flow.ActivationKind;
import io.impflow.model.flow.Architecture;
import io.impflow.model.flow.Flow;
import io.impflow.model.nn.LipschitzMlp;
import io.impflow.model.train.TrainableFlow;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The solver on its own: per-row convergence and diagnostics, the iteration cap, and broken rows. */
class NewtonSolverTest {
    private static TrainableFlow trainable;
    private static NDManager manager;
    private static LipschitzMlp g;

    @BeforeAll
    static void build() {
        trainable = RandomFlows.create(Architecture.RESFLOW, 4, 1, 16, 2, ActivationKind.LIPSWISH, 0.97, 71);
        manager = Engine.getInstance().newBaseManager();
        g = ((io.impflow.model.flow.ResFlowBlock) Flow.create(trainable.spec(), trainable.effectiveWeights(), manager)
                .blocks().blocks().get(0)).g();
    }

    @AfterAll
    static void close() {
        manager.close();
        trainable.close();
    }

    @Test
    void solvesEveryRowToTheToleranceAndReturnsRowsInInputOrder() {
        double[][] y = randomRows(50, 3.0);
        y[7] = new double[] {4e3, -4e3, 4e3, -4e3};
        NDArray rhs = manager.create(y);
        SolverResult r = new NewtonSolver(SolverSettings.DEFAULT).solve(g, rhs, rhs);
        assertThat(r.converged()).containsOnly(true);
        NDArray check = r.solution().add(g.apply(r.solution())).sub(rhs);
        double[] norms = check.norm(new int[] {1}).toDoubleArray();
        for (int i = 0; i < y.length; i++) {
            double scale = Math.max(1, manager.create(y[i]).norm().getDouble());
            assertThat(norms[i] / scale).as("row %d", i).isLessThanOrEqualTo(1e-10)
                    .isCloseTo(r.residual()[i], org.assertj.core.api.Assertions.within(1e-12));
            assertThat(r.iterations()[i]).isPositive();
        }
    }

    @Test
    void float32ChordMatricesReachTheSameFloat64Solution() {
        double[][] y = randomRows(40, 3.0);
        y[3] = new double[] {4e3, -4e3, 4e3, -4e3};
        NDArray rhs = manager.create(y);
        SolverResult newton = new NewtonSolver(SolverSettings.DEFAULT).solve(g, rhs, rhs);
        SolverResult chord = new NewtonSolver(SolverSettings.DEFAULT)
                .solve(g, g.toType(ai.djl.ndarray.types.DataType.FLOAT32), rhs, rhs);
        assertThat(chord.converged()).containsOnly(true);
        assertThat(chord.solution().getDataType()).isEqualTo(ai.djl.ndarray.types.DataType.FLOAT64);
        double[] norms = chord.solution().add(g.apply(chord.solution())).sub(rhs).norm(new int[] {1}).toDoubleArray();
        double[] a = newton.solution().toDoubleArray();
        double[] b = chord.solution().toDoubleArray();
        for (int i = 0; i < y.length; i++) {
            double scale = Math.max(1, manager.create(y[i]).norm().getDouble());
            assertThat(norms[i] / scale).as("row %d", i).isLessThanOrEqualTo(1e-10);
            for (int j = 0; j < 4; j++) {
                assertThat(b[i * 4 + j]).isCloseTo(a[i * 4 + j], org.assertj.core.api.Assertions.within(2e-10 * scale));
            }
        }
    }

    @Test
    void iterationCapLeavesRowsUnconvergedWithTheirResidual() {
        NDArray rhs = manager.create(randomRows(10, 3.0));
        SolverResult r = new NewtonSolver(new SolverSettings(1e-10, 1, 30)).solve(g, rhs, rhs);
        for (int i = 0; i < 10; i++) {
            assertThat(r.iterations()[i]).isEqualTo(1);
            assertThat(r.converged()[i]).isFalse();
            assertThat(r.residual()[i]).isGreaterThan(1e-10).isFinite();
        }
    }

    @Test
    void nonFiniteRowFailsAloneWithoutDisturbingTheOthers() {
        double[][] y = randomRows(6, 1.0);
        double[][] withNaN = y.clone();
        withNaN[2] = new double[] {Double.NaN, 0, 0, 0};
        SolverResult clean = new NewtonSolver(SolverSettings.DEFAULT).solve(g, manager.create(y), manager.create(y));
        NDArray rhs = manager.create(withNaN);
        SolverResult r = new NewtonSolver(SolverSettings.DEFAULT).solve(g, rhs, rhs);
        assertThat(r.converged()).containsExactly(true, true, false, true, true, true);
        assertThat(r.residual()[2]).isNaN();
        double[] a = clean.solution().toDoubleArray();
        double[] b = r.solution().toDoubleArray();
        for (int k = 0; k < a.length; k++) {
            if (k / 4 != 2) {
                assertThat(b[k]).isCloseTo(a[k], org.assertj.core.api.Assertions.within(1e-9));
            }
        }
    }

    @Test
    void settingsAreValidated() {
        assertThatThrownBy(() -> new SolverSettings(0, 10, 1)).hasMessageContaining("tolerance");
        assertThatThrownBy(() -> new SolverSettings(1e-10, 0, 1)).hasMessageContaining("maxIterations");
    }

    private static double[][] randomRows(int n, double scale) {
        Random random = new Random(n);
        double[][] rows = new double[n][4];
        for (double[] row : rows) {
            for (int j = 0; j < 4; j++) {
                row[j] = scale * random.nextGaussian();
            }
        }
        return rows;
    }
}
