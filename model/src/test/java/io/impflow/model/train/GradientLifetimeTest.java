package io.impflow.model.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.impflow.model.flow.ActivationKind;
import io.impflow.model.flow.Architecture;
import io.impflow.model.flow.FlowSpec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The training gradient must not depend on what the JVM does between the forward and the backward pass. A DJL
 * scalar operand ({@code a.mul(0.5)}) is a CPU tensor that borrows a Java direct buffer and is closed right after the
 * forward op; if autograd saved it for the backward pass, a garbage collection in between frees that memory and the
 * backward reads whatever was written there since (here: NaN bytes), which made fresh training runs skip steps.
 */
class GradientLifetimeTest {
    private static final int D = 2;

    @ParameterizedTest
    @CsvSource({"IMPFLOW, LIPSWISH, FLOAT64, false", "IMPFLOW, SIN, FLOAT64, false", "IMPFLOW, LIPSWISH, FLOAT32, false",
        "IMPFLOW, SIN, FLOAT32, false", "RESFLOW, LIPSWISH, FLOAT32, false", "IMPFLOW, SIN, FLOAT64, true",
        "RESFLOW, SIN, FLOAT32, true"})
    void firstStepGradientIsUnchangedByHostMemoryReuseBeforeBackward(Architecture architecture,
                                                                     ActivationKind activation, DataType dtype,
                                                                     boolean mixtureBase) {
        FlowSpec spec = new FlowSpec(architecture, D, 2, 16, 2, activation, 0.97);
        double[][] rows = gaussianRows(64, 5);
        try (TrainableFlow flow = TrainableFlow.create(spec, 3, Device.cpu(), dtype)) {
            if (mixtureBase) {
                flow.setBase(io.impflow.model.flow.GaussianMixtureTest.threeComponents());
            }
            Map<String, double[]> quiet = gradients(flow, rows, false);
            Map<String, double[]> disturbed = gradients(flow, rows, true);
            for (Map.Entry<String, double[]> e : quiet.entrySet()) {
                assertThat(Arrays.stream(e.getValue()).allMatch(Double::isFinite))
                        .as("finite first-step gradient of %s", e.getKey()).isTrue();
                assertThat(disturbed.get(e.getKey()))
                        .as("gradient of %s after freed host memory was reused", e.getKey())
                        .containsExactly(e.getValue());
            }
        }
    }

    @Test
    void float32TrainingStepsAllHaveFiniteLossAndGradient() {
        FlowSpec spec = new FlowSpec(Architecture.IMPFLOW, D, 1, 8, 2, ActivationKind.SIN, 0.97);
        double[][] rows = gaussianRows(256, 11);
        try (TrainableFlow flow = TrainableFlow.create(spec, 4, Device.cpu(), DataType.FLOAT32)) {
            NDManager parameterManager = flow.parameters().values().iterator().next().getManager();
            int steps = 300;
            int nonFinite = 0;
            double initialNll = -mean(flow.exactLogLikelihood(rows));
            for (int step = 0; step < steps; step++) {
                double[][] batch = Arrays.copyOfRange(rows, (step % 8) * 32, (step % 8 + 1) * 32);
                try (NDManager batchManager = parameterManager.newSubManager()) {
                    NDArray x = batchManager.create(batch).toType(DataType.FLOAT32, false);
                    double loss;
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        NDArray nll = flow.logLikelihood(x).mean().neg();
                        loss = nll.toType(DataType.FLOAT64, false).getDouble();
                        if (step % 50 == 0) {
                            reuseFreedHostMemory();
                        }
                        collector.backward(nll);
                    }
                    boolean finite = Double.isFinite(loss);
                    boolean gradMode = JniUtils.isGradMode();
                    JniUtils.setGradMode(false);
                    try {
                        for (NDArray p : flow.parameters().values()) {
                            NDArray g = p.getGradient();
                            finite &= Arrays.stream(toDoubles(g)).allMatch(Double::isFinite);
                            if (finite) {
                                p.subi(g.mul(0.01));
                            }
                            g.set(new NDIndex("..."), 0);
                        }
                    } finally {
                        JniUtils.setGradMode(gradMode);
                    }
                    nonFinite += finite ? 0 : 1;
                }
                flow.updateSpectralNorm();
            }
            assertThat(nonFinite).as("steps with a non-finite loss or gradient of %d", steps).isZero();
            assertThat(-mean(flow.exactLogLikelihood(rows))).as("exact NLL of the rows after %d steps", steps)
                    .isLessThan(initialNll);
        }
    }

    /** Per-parameter gradients of the mean NLL, optionally reusing freed host memory between forward and backward. */
    private static Map<String, double[]> gradients(TrainableFlow flow, double[][] rows, boolean disturb) {
        NDManager parameterManager = flow.parameters().values().iterator().next().getManager();
        Map<String, double[]> out = new LinkedHashMap<>();
        try (NDManager batch = parameterManager.newSubManager()) {
            NDArray x = batch.create(rows).toType(flow.dataType(), false);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray loss = flow.logLikelihood(x).mean().neg();
                if (disturb) {
                    reuseFreedHostMemory();
                }
                collector.backward(loss);
            }
            for (Map.Entry<String, NDArray> e : flow.parameters().entrySet()) {
                NDArray g = e.getValue().getGradient();
                out.put(e.getKey(), toDoubles(g));
                g.set(new NDIndex("..."), 0);
            }
        }
        return out;
    }

    /**
     * Collects garbage (so the cleaners of unreachable direct buffers free their memory) and fills freshly allocated
     * small direct buffers, which reuse that memory, with NaN bytes.
     */
    private static void reuseFreedHostMemory() {
        List<ByteBuffer> held = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            System.gc();
            for (int i = 0; i < 4000; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(8 * (1 + i % 2));
                while (b.hasRemaining()) {
                    b.put((byte) 0xFF);
                }
                held.add(b);
            }
        }
        assertThat(held).isNotEmpty();
    }

    private static double mean(double[] values) {
        return Arrays.stream(values).average().orElseThrow();
    }

    private static double[] toDoubles(NDArray a) {
        try (NDArray d = a.toType(DataType.FLOAT64, true)) {
            return d.toDoubleArray();
        }
    }

    private static double[][] gaussianRows(int n, long seed) {
        Random random = new Random(seed);
        double[][] rows = new double[n][D];
        for (double[] row : rows) {
            row[0] = 1.5 * random.nextGaussian() + (random.nextBoolean() ? 2 : -2);
            row[1] = 0.5 * random.nextGaussian() + 0.3 * row[0];
        }
        return rows;
    }
}
