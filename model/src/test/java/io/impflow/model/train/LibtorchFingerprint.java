package io.impflow.model.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.pytorch.jni.LibUtils;
import ai.djl.training.GradientCollector;
import io.impflow.model.flow.ActivationKind;
import io.impflow.model.flow.Architecture;
import io.impflow.model.flow.FlowSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A child-JVM program that records what one libtorch build computes for a fixed flow: float64 exact scores of an
 * ImpFlow and a ResFlow before and after a few float64 training steps, and the float32 gradients of one training
 * step. {@link BytedecoLibtorchCheck} runs it once on DJL's bundled libtorch and once on JavaCPP's, and compares.
 *
 * <p>Output lines (tab-separated): {@code libtorch DIR}, {@code loaded PATH} (every libtorch_cpu/libc10 mapped into
 * this process, from /proc/self/maps), then {@code KEY INDEX VALUE} with the value as {@link Double#toHexString}.
 */
public final class LibtorchFingerprint {

    private static final int ROWS = 48;
    private static final int TRAINING_STEPS = 3;
    private static final double STEP_SIZE = 0.05;

    private LibtorchFingerprint() {
    }

    /** @param args the output file */
    public static void main(String[] args) throws IOException {
        List<String> out = new ArrayList<>();
        Engine engine = Engine.getInstance();
        out.add("libtorch\t" + LibUtils.getLibtorchPath());
        out.add("engine\t" + engine.getEngineName() + " " + engine.getVersion());
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            if (line.endsWith("libtorch_cpu.so") || line.endsWith("libc10.so")) {
                String path = line.substring(line.indexOf('/'));
                if (!out.contains("loaded\t" + path)) {
                    out.add("loaded\t" + path);
                }
            }
        }
        double[][] rows = rows(4, 11);
        for (Architecture architecture : Architecture.values()) {
            FlowSpec spec = new FlowSpec(architecture, 4, 2, 16, 2, ActivationKind.LIPSWISH, 0.9);
            String tag = architecture.name().toLowerCase(java.util.Locale.ROOT);
            try (TrainableFlow flow = TrainableFlow.create(spec, 7, Device.cpu(), DataType.FLOAT64)) {
                record(out, tag + ".score.initial", flow.exactLogLikelihood(rows));
                for (int step = 0; step < TRAINING_STEPS; step++) {
                    gradientStep(flow, rows);
                }
                record(out, tag + ".score.trained", flow.exactLogLikelihood(rows));
            }
            try (TrainableFlow flow = TrainableFlow.create(spec, 7, Device.cpu(), DataType.FLOAT32)) {
                Map<String, double[]> gradients = gradients(flow, rows);
                for (Map.Entry<String, double[]> e : gradients.entrySet()) {
                    record(out, tag + ".grad32." + e.getKey(), e.getValue());
                }
            }
        }
        Files.write(Path.of(args[0]), out);
    }

    private static double[][] rows(int d, long seed) {
        Random random = new Random(seed);
        double[][] x = new double[ROWS][d];
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                row[j] = random.nextGaussian() * (1 + 0.3 * j);
            }
        }
        return x;
    }

    /** Mean-NLL gradients of every parameter at the flow's current weights (the flow's gradients are zeroed after). */
    private static Map<String, double[]> gradients(TrainableFlow flow, double[][] rows) {
        Map<String, double[]> out = new java.util.LinkedHashMap<>();
        try (NDManager batch = flow.parameters().values().iterator().next().getManager().newSubManager()) {
            NDArray x = batch.create(rows).toType(flow.dataType(), false);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                collector.backward(flow.logLikelihood(x).mean().neg());
            }
            for (Map.Entry<String, NDArray> e : flow.parameters().entrySet()) {
                try (NDArray g = e.getValue().getGradient()) {
                    out.put(e.getKey(), g.toType(DataType.FLOAT64, false).toDoubleArray());
                    g.set(new NDIndex("..."), 0);
                }
            }
        }
        return out;
    }

    /** One plain gradient-descent step on the mean NLL, then a power-iteration step (as the trainer does). */
    private static void gradientStep(TrainableFlow flow, double[][] rows) {
        Map<String, double[]> gradients = gradients(flow, rows);
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            for (Map.Entry<String, NDArray> e : flow.parameters().entrySet()) {
                NDArray p = e.getValue();
                try (NDManager scratch = p.getManager().newSubManager()) {
                    double[] g = gradients.get(e.getKey());
                    double[] step = new double[g.length];
                    for (int i = 0; i < g.length; i++) {
                        step[i] = STEP_SIZE * g[i];
                    }
                    p.subi(scratch.create(step, new Shape(p.getShape().getShape())));
                }
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
        flow.updateSpectralNorm();
    }

    private static void record(List<String> out, String key, double[] values) {
        for (int i = 0; i < values.length; i++) {
            out.add(key + "\t" + i + "\t" + Double.toHexString(values[i]));
        }
    }
}
