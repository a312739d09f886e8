package io.impflow.model.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.impflow.model.DensityModel;
import io.impflow.model.RandomFlows;
import io.impflow.model.calibration.Calibration;
import io.impflow.model.flow.ActivationKind;
import io.impflow.model.flow.Architecture;
import io.impflow.model.scoring.BatchScores;
import io.impflow.model.train.TrainableFlow;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 3, test 6: artifacts round-trip bit for bit and every kind of damage is refused with a typed error. */
class ModelArtifactTest {
    private static final double[][] ROWS = {{7.0, 11.0, 30.0}, {8.5, 16.0, 28.0}, {6.0, 17.5, 33.0}, {9e3, 17.0, 27.0}};
    private static TrainableFlow flow;

    @TempDir
    Path temp;

    @BeforeAll
    static void createFlow() {
        flow = RandomFlows.create(Architecture.IMPFLOW, 3, 2, 8, 2, ActivationKind.LIPSWISH, 0.9, 31);
    }

    @AfterAll
    static void closeFlow() {
        flow.close();
    }

    @Test
    void saveLoadGivesBitIdenticalScoresAndTheExactLikelihood() throws Exception {
        Path a = RandomFlows.writeArtifact(flow, temp.resolve("a"), null);
        Calibration calibration = Calibration.fit(new double[] {-9, -8, -7.5, -7, -6, -5.5, -5}, 0.2);
        Path b = temp.resolve("b");
        String versionB = ModelArtifact.withCalibration(a, b, calibration);
        try (DensityModel first = DensityModel.load(a); DensityModel second = DensityModel.load(b)) {
            BatchScores s1 = first.score(ROWS);
            BatchScores s2 = second.score(ROWS);
            assertThat(s2.logLikelihood()).isEqualTo(s1.logLikelihood());
            assertThat(s2.residual()).isEqualTo(s1.residual());
            assertThat(second.version()).isEqualTo(versionB).isNotEqualTo(first.version());
            assertThat(second.calibration()).contains(calibration);
            assertThat(first.calibration()).isEmpty();
            assertThat(second.featureNames()).containsExactly("f0", "f1", "f2");

            double[][] standardized = new double[ROWS.length][];
            for (int i = 0; i < ROWS.length; i++) {
                standardized[i] = first.manifest().standardization().apply(ROWS[i]);
            }
            double[] exact = flow.exactLogLikelihood(standardized);
            double logJacobian = first.manifest().standardization().logAbsDetJacobian();
            for (int i = 0; i < ROWS.length; i++) {
                assertThat(s1.logLikelihood()[i]).isCloseTo(exact[i] + logJacobian,
                        org.assertj.core.api.Assertions.within(1e-9 * Math.max(1, Math.abs(exact[i]))));
            }
        }
        Manifest manifest = ModelArtifact.read(a).manifest();
        assertThat(manifest.lipschitzBounds()).hasSize(4)
                .allSatisfy((name, bound) -> assertThat(bound).isLessThanOrEqualTo(Math.pow(0.9, 3) * (1 + 1e-12)));
    }

    @Test
    void sameWeightsGiveTheSameVersionId() throws Exception {
        Path a = RandomFlows.writeArtifact(flow, temp.resolve("a"), null);
        Path b = RandomFlows.writeArtifact(flow, temp.resolve("b"), null);
        assertThat(ModelArtifact.read(a).manifest().version()).isEqualTo(ModelArtifact.read(b).manifest().version());
    }

    @Test
    void flippedByteInParametersIsAChecksumError() throws Exception {
        Path a = RandomFlows.writeArtifact(flow, temp.resolve("a"), null);
        Path params = a.resolve(ModelArtifact.PARAMS);
        byte[] bytes = Files.readAllBytes(params);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(params, bytes);
        assertRefused(a, ArtifactException.Kind.CHECKSUM_MISMATCH, "params.bin");
    }

    @Test
    void weightsBreakingTheLipschitzBoundAreRefused() throws Exception {
        Path a = RandomFlows.writeArtifact(flow, temp.resolve("a"), null);
        Path params = a.resolve(ModelArtifact.PARAMS);
        ByteBuffer buffer = ByteBuffer.wrap(Files.readAllBytes(params));
        // The first tensor is block0.gx.linear0.weight (8 × 3): scaling it by 2 pushes the bound to 2·0.9³ > 1.
        for (int i = 0; i < 24; i++) {
            buffer.putDouble(i * 8, 2 * buffer.getDouble(i * 8));
        }
        Files.write(params, buffer.array());
        Checksums.write(a, List.of(ModelArtifact.MANIFEST, ModelArtifact.PARAMS));
        assertRefused(a, ArtifactException.Kind.LIPSCHITZ_VIOLATION, "block 0 MLP gx");
    }

    @Test
    void unknownFormatVersionIsRefused() throws Exception {
        Path a = RandomFlows.writeArtifact(flow, temp.resolve("a"), null);
        Path manifest = a.resolve(ModelArtifact.MANIFEST);
        String json = Files.readString(manifest);
        assertThat(json).contains("\"formatVersion\" : 2,");
        Files.writeString(manifest, json.replace("\"formatVersion\" : 2,", "\"formatVersion\" : 3,"));
        Checksums.write(a, List.of(ModelArtifact.MANIFEST, ModelArtifact.PARAMS));
        assertRefused(a, ArtifactException.Kind.UNSUPPORTED_FORMAT_VERSION, "format version 3");
    }

    @Test
    void missingDirectoryAndOccupiedTargetAreReported() throws Exception {
        assertRefused(temp.resolve("nowhere"), ArtifactException.Kind.MISSING_FILE, "does not exist");
        Path occupied = temp.resolve("occupied");
        Files.createDirectories(occupied);
        Files.writeString(occupied.resolve("note.txt"), "x");
        assertThatThrownBy(() -> RandomFlows.writeArtifact(flow, occupied, null))
                .isInstanceOfSatisfying(ArtifactException.class,
                        e -> assertThat(e.kind()).isEqualTo(ArtifactException.Kind.IO))
                .hasMessageContaining("not empty");
        try (var listing = Files.list(temp)) {
            assertThat(listing.filter(p -> p.getFileName().toString().contains(".tmp-"))).isEmpty();
        }
    }

    /** Issue 14 point 8: sizes a hostile manifest claims are refused before anything is allocated for them. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "\"hidden\" : 8,|\"hidden\" : 1073741824,|spec.hidden is 1073741824",
        "\"blocks\" : 2,|\"blocks\" : 100000,|spec.blocks is 100000",
        "\"layers\" : 2,|\"layers\" : 5000,|spec.layers is 5000",
        "\"dimension\" : 3,|\"dimension\" : 65,|dimension must be in 1..64",
        "\"parameterFile\" : \"params.bin\"|\"parameterFile\" : \"../../etc/passwd\"|parameterFile must be params.bin",
        "\"f0\"|\"LONGNAME\"|featureNames 'xxxx"})
    void manifestClaimsBeyondTheBoundsAreRefused(String from, String to, String messagePart) throws Exception {
        Path a = RandomFlows.writeArtifact(flow, temp.resolve("a"), null);
        Path manifest = a.resolve(ModelArtifact.MANIFEST);
        String json = Files.readString(manifest);
        assertThat(json).contains(from);
        Files.writeString(manifest, json.replaceFirst(java.util.regex.Pattern.quote(from),
                java.util.regex.Matcher.quoteReplacement(to.replace("LONGNAME", "x".repeat(100_000)))));
        Checksums.write(a, List.of(ModelArtifact.MANIFEST, ModelArtifact.PARAMS));
        assertRefused(a, ArtifactException.Kind.MALFORMED, messagePart);
    }

    @Test
    void oversizedManifestAndChecksumFilesAreNotRead() throws Exception {
        Path a = RandomFlows.writeArtifact(flow, temp.resolve("a"), null);
        Path manifest = a.resolve(ModelArtifact.MANIFEST);
        String json = Files.readString(manifest);
        String padded = json.substring(0, json.lastIndexOf('}')) + ", \"padding\" : \""
                + "p".repeat((int) ManifestLimits.MAX_MANIFEST_BYTES) + "\" }";
        Files.writeString(manifest, padded);
        Checksums.write(a, List.of(ModelArtifact.MANIFEST, ModelArtifact.PARAMS));
        assertRefused(a, ArtifactException.Kind.MALFORMED, "at most " + ManifestLimits.MAX_MANIFEST_BYTES);

        Path b = RandomFlows.writeArtifact(flow, temp.resolve("b"), null);
        Files.writeString(b.resolve(Checksums.FILE_NAME), "\n".repeat((int) ManifestLimits.MAX_CHECKSUM_FILE_BYTES + 1),
                java.nio.file.StandardOpenOption.APPEND);
        assertRefused(b, ArtifactException.Kind.MALFORMED, "at most " + ManifestLimits.MAX_CHECKSUM_FILE_BYTES);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"impflow-format1", "impflow-format2"})
    void goldenArtifactLoadsAndReproducesItsReferenceScores(String directory) throws Exception {
        assertThat(GoldenArtifact.DIRECTORIES).contains(directory);
        Path golden = Path.of("src/test/resources/golden/" + directory);
        GoldenArtifact.Reference reference = GoldenArtifact.readReference(
                golden.resolveSibling(GoldenArtifact.reference(directory)));
        try (DensityModel model = DensityModel.load(golden)) {
            assertThat(model.version()).isEqualTo(reference.version());
            BatchScores scores = model.score(reference.rows());
            for (int i = 0; i < reference.rows().length; i++) {
                double expected = reference.logLikelihood()[i];
                // Same float64 math; tolerance only for libtorch kernels that may round differently on other CPUs.
                if (Double.isInfinite(expected)) {
                    assertThat(scores.logLikelihood()[i]).as("golden row %d", i).isEqualTo(expected);
                    continue;
                }
                assertThat(scores.logLikelihood()[i]).as("golden row %d", i)
                        .isCloseTo(expected, org.assertj.core.api.Assertions.within(1e-12 * Math.max(1, Math.abs(expected))));
            }
            assertThat(model.calibration()).isPresent();
        }
    }

    @Test
    void recalibratingAFormatOneArtifactWritesOneThatLoads() throws Exception {
        Path golden = Path.of("src/test/resources/golden/impflow-format1");
        Path copy = temp.resolve("recalibrated");
        ModelArtifact.withCalibration(golden, copy, Calibration.fit(new double[] {-9, -8, -7, -6, -5}, 0.2));
        try (DensityModel model = DensityModel.load(copy)) {
            assertThat(model.manifest().formatVersion()).isEqualTo(1);
            assertThat(model.calibration().orElseThrow().targetFpr()).isEqualTo(0.2);
        }
    }

    private static void assertRefused(Path dir, ArtifactException.Kind kind, String messagePart) {
        assertThatThrownBy(() -> DensityModel.load(dir))
                .isInstanceOfSatisfying(ArtifactException.class, e -> assertThat(e.kind()).isEqualTo(kind))
                .hasMessageContaining(messagePart);
    }

    static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }
}
