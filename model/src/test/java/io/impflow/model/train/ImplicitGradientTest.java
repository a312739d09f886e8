package io.impflow.model.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import io.impflow.model.RandomFlows;
import io.impflow.model.flow.ActivationKind;
import io.impflow.model.flow.Architecture;
import io.impflow.model.flow.FlowSpec;
import io.impflow.model.solver.SolverSettings;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 3, test 4: the one-pass training objective has the exact value, and its autograd gradient with respect to
 * parameters and inputs matches fourth-order central finite differences of the exact float64 log-likelihood.
 */
class ImplicitGradientTest {
    private static final SolverSettings TIGHT = new SolverSettings(1e-14, 100, 40);
    private static final double H = 1e-3;
    private static final double[][] X = {{0.4, -0.3, 1.2}, {-1.1, 0.8, 0.1}, {2.0, 1.5, -0.7}};

    @ParameterizedTest
    @CsvSource({"IMPFLOW, LIPSWISH", "IMPFLOW, SIN", "RESFLOW, LIPSWISH"})
    void gradientMatchesFiniteDifferencesOfExactLogLikelihood(Architecture architecture, ActivationKind activation) {
        try (TrainableFlow flow = RandomFlows.create(architecture, 3, 2, 8, 2, activation, 0.9, 21);
             NDManager batch = Engine.getInstance().newBaseManager()) {
            NDArray x = batch.create(X);
            x.setRequiresGradient(true);
            double[] surrogate;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray ll = flow.logLikelihood(x);
                surrogate = ll.toDoubleArray();
                collector.backward(ll.sum());
            }
            double[] exact = flow.exactLogLikelihood(X, TIGHT);
            for (int i = 0; i < X.length; i++) {
                assertThat(surrogate[i]).as("objective value, row %d", i)
                        .isCloseTo(exact[i], org.assertj.core.api.Assertions.within(1e-12 * Math.abs(exact[i])));
            }
            FlowWeights base = flow.snapshot();
            Random random = new Random(4);
            int checked = 0;
            for (String name : flow.parameters().keySet()) {
                double[] gradient = flow.parameters().get(name).getGradient().toDoubleArray();
                double[] values = base.get(name);
                for (int e : new int[] {random.nextInt(values.length)}) {
                    double fd = fourthOrderDifference(h -> {
                        double[] shifted = values.clone();
                        shifted[e] += h;
                        flow.restore(base.with(name, shifted));
                        return sum(flow.exactLogLikelihood(X, TIGHT));
                    });
                    assertClose(gradient[e], fd, name + "[" + e + "]");
                    checked++;
                }
            }
            flow.restore(base);
            double[] inputGradient = x.getGradient().toDoubleArray();
            int d = X[0].length;
            double[][] probes = new double[4 * X.length * d][];
            double[] offsets = {H, -H, 2 * H, -2 * H};
            for (int i = 0; i < X.length; i++) {
                for (int j = 0; j < d; j++) {
                    for (int o = 0; o < 4; o++) {
                        double[] p = X[i].clone();
                        p[j] += offsets[o];
                        probes[(i * d + j) * 4 + o] = p;
                    }
                }
            }
            double[] ll = flow.exactLogLikelihood(probes, TIGHT);
            for (int k = 0; k < X.length * d; k++) {
                double fd = (8 * (ll[4 * k] - ll[4 * k + 1]) - (ll[4 * k + 2] - ll[4 * k + 3])) / (12 * H);
                assertClose(inputGradient[k], fd, "x[" + k / d + "][" + k % d + "]");
            }
            assertThat(checked).isEqualTo(flow.parameters().size());
        }
    }

    @Test
    void float32ObjectiveTracksTheExactValue() {
        FlowSpec spec = new FlowSpec(Architecture.IMPFLOW, 3, 2, 8, 2, ActivationKind.LIPSWISH, 0.9);
        try (TrainableFlow flow = TrainableFlow.create(spec, 8, Device.cpu(), DataType.FLOAT32);
             NDManager batch = Engine.getInstance().newBaseManager()) {
            NDArray x = batch.create(X).toType(DataType.FLOAT32, false);
            double[] value;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray ll = flow.logLikelihood(x);
                value = ll.toType(DataType.FLOAT64, false).toDoubleArray();
                collector.backward(ll.mean().neg());
            }
            double[] exact = flow.exactLogLikelihood(X);
            for (int i = 0; i < X.length; i++) {
                assertThat(value[i]).isCloseTo(exact[i], org.assertj.core.api.Assertions.within(1e-4));
            }
            for (NDArray p : flow.parameters().values()) {
                assertThat(p.getGradient().getDataType()).isEqualTo(DataType.FLOAT32);
            }
        }
    }

    private static void assertClose(double autograd, double finiteDifference, String what) {
        double error = Math.abs(autograd - finiteDifference);
        if (Math.abs(finiteDifference) >= 1e-3) {
            assertThat(error / Math.abs(finiteDifference)).as("relative error of d log p / d %s (autograd %s, FD %s)",
                    what, autograd, finiteDifference).isLessThanOrEqualTo(1e-6);
        } else {
            assertThat(error).as("absolute error of small d log p / d %s (autograd %s, FD %s)",
                    what, autograd, finiteDifference).isLessThanOrEqualTo(1e-9);
        }
    }

    /** [8(f(h) − f(−h)) − (f(2h) − f(−2h))] / 12h, truncation error O(h⁴). */
    private static double fourthOrderDifference(java.util.function.DoubleUnaryOperator f) {
        return (8 * (f.applyAsDouble(H) - f.applyAsDouble(-H)) - (f.applyAsDouble(2 * H) - f.applyAsDouble(-2 * H)))
                / (12 * H);
    }

    private static double sum(double[] values) {
        double s = 0;
        for (double v : values) {
            assertThat(v).as("exact log-likelihood converged").isFinite();
            s += v;
        }
        return s;
    }
}
