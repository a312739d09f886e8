package io.impflow.model;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.impflow.model.flow.ActivationKind;
import io.impflow.model.flow.Architecture;
import io.impflow.model.flow.FlowSpec;
import io.impflow.model.train.FlowWeights;
import io.impflow.model.train.TrainableFlow;
import io.impflow.model.artifact.ArtifactException;
import io.impflow.model.artifact.ModelArtifact;
import io.impflow.model.calibration.Calibration;
import io.impflow.model.flow.ConstantFeature;
import io.impflow.model.flow.InputTransform;
import io.impflow.model.flow.Standardization;
import io.impflow.model.flow.Whitening;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Test flows with non-trivial random weights: every linear map is pushed against its spectral-norm cap. */
public final class RandomFlows {

    private RandomFlows() {
    }

    /** A float64 CPU flow whose weights are Gaussian with σ_max well above c, so normalization makes Lip ≈ c. */
    public static TrainableFlow create(Architecture architecture, int d, int blocks, int hidden, int layers,
                                       ActivationKind activation, double c, long seed) {
        FlowSpec spec = new FlowSpec(architecture, d, blocks, hidden, layers, activation, c);
        TrainableFlow flow = TrainableFlow.create(spec, seed, Device.cpu(), DataType.FLOAT64);
        FlowWeights w = flow.snapshot();
        Random random = new Random(seed + 1);
        for (String name : w.names()) {
            double[] v = w.get(name);
            if (name.endsWith(".weight") || name.endsWith(".bias")) {
                double scale = name.endsWith(".weight") ? 1.5 : 0.5;
                for (int i = 0; i < v.length; i++) {
                    v[i] = scale * random.nextGaussian();
                }
                w = w.with(name, v);
            } else if (name.endsWith(".b")) {
                w = w.with(name, new double[] {random.nextGaussian()});
            }
        }
        flow.restore(w);
        for (int i = 0; i < 200; i++) {
            flow.updateSpectralNorm();
        }
        return flow;
    }

    /** A standardization with distinct, non-trivial means and scales for d features. */
    public static Standardization standardization(int d) {
        double[] mean = new double[d];
        double[] scale = new double[d];
        for (int j = 0; j < d; j++) {
            mean[j] = 10.0 * (j + 1) - 3;
            scale[j] = 0.5 + 0.75 * j;
        }
        return new Standardization(mean, scale);
    }

    /**
     * A format-2 input transform for a flow of d' features: {@link #standardization(int)}, a dense lower-triangular
     * whitening, and one constant feature at input position 1 (value 2.5), so d = d' + 1.
     */
    public static InputTransform whitenedWithConstant(int flowDimension) {
        double[][] w = new double[flowDimension][flowDimension];
        for (int i = 0; i < flowDimension; i++) {
            w[i][i] = 0.8 + 0.3 * i;
            for (int j = 0; j < i; j++) {
                w[i][j] = 0.4 - 0.25 * (i + j);
            }
        }
        return new InputTransform(flowDimension + 1, List.of(new ConstantFeature(1, "f1", 2.5)),
                standardization(flowDimension), new Whitening(w));
    }

    /** Writes an artifact of the flow behind {@code transform}, features f0..f(d−1), and returns its directory. */
    public static Path writeArtifact(TrainableFlow flow, Path dir, Calibration calibration, InputTransform transform)
            throws ArtifactException {
        return writeArtifact(flow, dir, calibration, transform, null);
    }

    /** {@link #writeArtifact(TrainableFlow, Path, Calibration, InputTransform)} with a base density. */
    public static Path writeArtifact(TrainableFlow flow, Path dir, Calibration calibration, InputTransform transform,
                                     io.impflow.model.flow.GaussianMixture base) throws ArtifactException {
        List<String> names = new ArrayList<>();
        for (int j = 0; j < transform.inputDimension(); j++) {
            names.add("f" + j);
        }
        ModelArtifact.write(dir, flow.spec(), flow.snapshot(), transform, base, names, calibration,
                Map.of("purpose", "unit test", "seed", 1));
        return dir;
    }

    /** Writes an artifact of the flow with features f0..f(d−1) and returns its directory. */
    public static Path writeArtifact(TrainableFlow flow, Path dir, Calibration calibration) throws ArtifactException {
        int d = flow.spec().dimension();
        List<String> names = new ArrayList<>();
        for (int j = 0; j < d; j++) {
            names.add("f" + j);
        }
        ModelArtifact.write(dir, flow.spec(), flow.snapshot(), standardization(d), names, calibration,
                Map.of("purpose", "unit test", "seed", 1));
        return dir;
    }
}
