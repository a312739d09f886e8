package io.impflow.bench.scoring;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.impflow.model.DensityModel;
import io.impflow.model.artifact.ArtifactException;
import io.impflow.model.artifact.ModelArtifact;
import io.impflow.model.flow.ActivationKind;
import io.impflow.model.flow.Architecture;
import io.impflow.model.flow.FlowSpec;
import io.impflow.model.flow.Standardization;
import io.impflow.model.train.FlowWeights;
import io.impflow.model.train.TrainableFlow;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The benchmark's reference model: ImpFlow, 4 blocks, g = d-64-64-d, LipSwish, c = 0.97, with weights far from the
 * identity (every output layer scaled up to its spectral cap, as after training), written as a real artifact and
 * loaded through {@link DensityModel}; plus the multiply-add count of one exact scoring.
 */
final class ReferenceModel {
    static final int BLOCKS = 4;
    static final int HIDDEN = 64;
    static final int LAYERS = 2;
    /** Jacobians per block per row: g_x at x, g_z at the first iterate, g_z at the root (no refresh observed). */
    static final int JACOBIANS_PER_BLOCK = 3;

    private ReferenceModel() {
    }

    static FlowSpec spec(int d) {
        return new FlowSpec(Architecture.IMPFLOW, d, BLOCKS, HIDDEN, LAYERS, ActivationKind.LIPSWISH, 0.97);
    }

    /** Writes the reference artifact for dimension d into {@code dir} and loads it. */
    static DensityModel load(int d, Path dir) throws ArtifactException {
        FlowSpec spec = spec(d);
        try (TrainableFlow flow = TrainableFlow.create(spec, 2026, Device.cpu(), DataType.FLOAT64)) {
            FlowWeights w = flow.snapshot();
            for (String name : w.names()) {
                if (name.endsWith(".linear" + LAYERS + ".weight")) {
                    double[] v = w.get(name);
                    for (int i = 0; i < v.length; i++) {
                        v[i] *= 100;
                    }
                    w = w.with(name, v);
                }
            }
            flow.restore(w);
            for (int i = 0; i < 100; i++) {
                flow.updateSpectralNorm();
            }
            double[] mean = new double[d];
            double[] scale = new double[d];
            Arrays.fill(scale, 1.0);
            List<String> names = new ArrayList<>();
            for (int j = 0; j < d; j++) {
                names.add("x" + j);
            }
            ModelArtifact.write(dir, spec, flow.snapshot(), new Standardization(mean, scale), names, null,
                    Map.of("purpose", "JMH scoring benchmark"));
        }
        return DensityModel.load(dir);
    }

    /** Standard normal rows (the model's standardization is the identity). */
    static double[][] rows(int n, int d, long seed) {
        Random random = new Random(seed);
        double[][] rows = new double[n][d];
        for (double[] row : rows) {
            for (int j = 0; j < d; j++) {
                row[j] = random.nextGaussian();
            }
        }
        return rows;
    }

    /**
     * Multiply-adds of scoring one row: per block 3 Jacobians (d·h₁·h₂ + d·h₂·d GEMMs plus d·h slope scaling each;
     * two float64 for the log-determinants, one float32 for the solver's chord matrix, counted alike), one forward
     * pass per Jacobian, one float64 forward pass for F at the start and one per Newton iteration (d·h + h·h + h·d),
     * 3 LUs in Java (d³/3 each: two log-determinants, one chord matrix), and an LU solve (d²) per iteration.
     *
     * @param d dimension
     * @param newtonIterationsPerRow Newton iterations per row summed over the blocks (measured)
     * @return multiply-adds per row
     */
    static double multiplyAddsPerRow(int d, double newtonIterationsPerRow) {
        double h = HIDDEN;
        double jacobian = d * h + d * h * h + d * h * d;
        double forward = d * h + h * h + h * d;
        double perBlock = JACOBIANS_PER_BLOCK * (jacobian + forward + d * d * d / 3.0) + forward;
        double perIteration = forward + d * d;
        return BLOCKS * perBlock + newtonIterationsPerRow * perIteration;
    }
}
