package io.impflow.model.artifact;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.impflow.model.DensityModel;
import io.impflow.model.RandomFlows;
import io.impflow.model.calibration.Calibration;
import io.impflow.model.flow.ActivationKind;
import io.impflow.model.flow.Architecture;
import io.impflow.model.flow.GaussianMixture;
import io.impflow.model.train.TrainableFlow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The golden artifacts that guard the format: one per format version, each written once by the build of its time
 * and committed under {@code src/test/resources/golden}; every later build must load all of them and reproduce
 * their reference scores. {@link #main} writes the current format's (version 2: a constant feature, whitening, a
 * two-component mixture base density, a calibration with a fitted tail);
 * run it only when the format version changes, and keep the older directories.
 */
public final class GoldenArtifact {
    /** Directories of the committed golden artifacts, oldest first. */
    static final java.util.List<String> DIRECTORIES = java.util.List.of("impflow-format1", "impflow-format2");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Reference rows (raw space) and the log-likelihoods the golden model gave them when written. */
    record Reference(String version, double[][] rows, double[] logLikelihood) {
    }

    private GoldenArtifact() {
    }

    static Reference readReference(Path file) throws IOException {
        return JSON.readValue(file.toFile(), Reference.class);
    }

    /** The reference file of a golden directory. */
    static String reference(String directory) {
        return directory + "-reference.json";
    }

    /**
     * Writes the golden artifact and its reference scores.
     *
     * @param args one argument: the golden directory, e.g. {@code model/src/test/resources/golden}
     */
    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        String directory = DIRECTORIES.get(DIRECTORIES.size() - 1);
        try (TrainableFlow flow = RandomFlows.create(Architecture.IMPFLOW, 3, 2, 8, 2, ActivationKind.LIPSWISH,
                0.9, 2026)) {
            double[] heldOut = new double[400];
            java.util.Random random = new java.util.Random(2026);
            for (int i = 0; i < heldOut.length; i++) {
                heldOut[i] = -9 - Math.abs(random.nextGaussian()) * 2 - random.nextDouble() * random.nextDouble() * 6;
            }
            Calibration calibration = Calibration.fit(heldOut, 0.01);
            GaussianMixture base = new GaussianMixture(new double[] {0.7, 0.3},
                    new double[][] {{-0.5, 0.2, 0.1}, {1.2, -0.4, 0.3}},
                    new double[][][] {{{0.8, 0, 0}, {0.1, 0.7, 0}, {-0.2, 0.05, 0.9}},
                        {{0.5, 0, 0}, {0, 0.6, 0}, {0.1, -0.1, 0.4}}});
            RandomFlows.writeArtifact(flow, root.resolve(directory), calibration, RandomFlows.whitenedWithConstant(3),
                    base);
        }
        double[][] rows = {{7.0, 2.5, 11.0, 30.0}, {8.5, 2.5, 16.0, 28.0}, {6.0, 2.5, 17.5, 33.0},
            {50.0, 2.5, -40.0, 27.0}, {7.0, 3.5, 11.0, 30.0}};
        try (DensityModel model = DensityModel.load(root.resolve(directory))) {
            Reference reference = new Reference(model.version(), rows, model.score(rows).logLikelihood());
            Files.write(root.resolve(reference(directory)), JSON.writeValueAsBytes(reference));
        }
    }
}
