package io.impflow.model.artifact;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.impflow.model.DensityModel;
import io.impflow.model.RandomFlows;
import io.impflow.model.calibration.Calibration;
import io.impflow.model.flow.ActivationKind;
import io.impflow.model.flow.Architecture;
import io.impflow.model.train.TrainableFlow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The golden artifact that guards the format: written once by {@link #main} (format version 1) and committed
 * under {@code src/test/resources/golden}; every later build must load it and reproduce its reference scores.
 * Regenerate only when the format version changes, and then keep the old directory as well.
 */
public final class GoldenArtifact {
    static final String DIRECTORY = "impflow-format1";
    static final String REFERENCE = "impflow-format1-reference.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Reference rows (raw space) and the log-likelihoods the golden model gave them when written. */
    record Reference(String version, double[][] rows, double[] logLikelihood) {
    }

    private GoldenArtifact() {
    }

    static Reference readReference(Path file) throws IOException {
        return JSON.readValue(file.toFile(), Reference.class);
    }

    /**
     * Writes the golden artifact and its reference scores.
     *
     * @param args one argument: the golden directory, e.g. {@code model/src/test/resources/golden}
     */
    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        try (TrainableFlow flow = RandomFlows.create(Architecture.IMPFLOW, 3, 2, 8, 2, ActivationKind.LIPSWISH,
                0.9, 2026)) {
            Calibration calibration = Calibration.fit(new double[] {-12, -10, -9.5, -9, -8.7, -8.1, -7.9, -7}, 0.25);
            RandomFlows.writeArtifact(flow, root.resolve(DIRECTORY), calibration);
        }
        double[][] rows = {{7.0, 11.0, 30.0}, {8.5, 16.0, 28.0}, {6.0, 17.5, 33.0}, {50.0, -40.0, 27.0}};
        try (DensityModel model = DensityModel.load(root.resolve(DIRECTORY))) {
            Reference reference = new Reference(model.version(), rows, model.score(rows).logLikelihood());
            Files.write(root.resolve(REFERENCE), JSON.writeValueAsBytes(reference));
        }
    }
}
