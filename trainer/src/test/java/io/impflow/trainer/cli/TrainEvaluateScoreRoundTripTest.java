package io.impflow.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real command line end to end on a small labelled CSV with a tiny model and the real DJL engine. */
class TrainEvaluateScoreRoundTripTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] TINY = {"--blocks", "1", "--hidden", "8", "--layers", "1", "--epochs", "2",
      "--batch-size", "64", "--device", "auto"};

  @TempDir static Path dir;
  static Path csv;
  static Path model;
  static CliRun training;

  /** 300 correlated Gaussian rows (label 0) and 20 far-away rows (label 1), features a, b, c. */
  @BeforeAll
  static void trainOnce() throws IOException {
    Random random = new Random(11);
    StringBuilder text = new StringBuilder("a,b,y,c\n");
    for (int i = 0; i < 320; i++) {
      boolean anomaly = i % 16 == 0;
      double u = random.nextGaussian();
      double a = 10 + 2 * u + (anomaly ? 9 : 0);
      double b = -5 + u + 0.3 * random.nextGaussian();
      double c = 100 + 20 * random.nextGaussian() - (anomaly ? 90 : 0);
      text.append(String.format(Locale.ROOT, "%.6f,%.6f,%d,%.6f%n", a, b, anomaly ? 1 : 0, c));
    }
    csv = Files.writeString(dir.resolve("small.csv"), text);
    model = dir.resolve("model");
    training = CliRun.of(concat(new String[] {"train", "--data", csv.toString(), "--out", model.toString(),
        "--seed", "3", "--report", dir.resolve("report").toString()}, TINY));
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = new String[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  @Test
  void trainingWritesACalibratedArtifactWithProvenanceAndAReport() throws IOException {
    assertThat(training.exitCode()).as(training.err()).isZero();
    assertThat(training.out()).contains("written to");
    JsonNode manifest = JSON.readTree(model.resolve("manifest.json").toFile());
    JsonNode provenance = manifest.get("provenance");
    assertThat(provenance.get("data_sha256").asText()).hasSize(64);
    assertThat(provenance.get("rows").asInt()).isEqualTo(320);
    // 32 held-out rows are too few for a tail fit: the threshold comes from out-of-fold scores of all 320 rows
    assertThat(provenance.get("calibrated_on").asText()).isEqualTo("cross-fitted scores of every row (5 folds, 320"
        + " rows)");
    assertThat(manifest.get("calibration").get("sampleCount").asInt()).isEqualTo(320);
    assertThat(provenance.get("seed").asLong()).isEqualTo(3);
    assertThat(provenance.get("device_reason").asText()).contains("auto").contains("no usable GPU").contains("CPU");
    assertThat(provenance.get("versions").get("djl").asText()).isEqualTo("0.36.0");
    assertThat(provenance.get("versions").get("impflow").asText()).isNotEqualTo("unknown");
    assertThat(manifest.get("featureNames").toString()).isEqualTo("[\"a\",\"b\",\"c\"]");
    assertThat(manifest.get("calibration").get("targetFpr").asDouble()).isEqualTo(0.001);
    assertThat(dir.resolve("report/training-curves.png")).isNotEmptyFile();
    assertThat(dir.resolve("report/score-histogram.png")).isNotEmptyFile();
  }

  @Test
  void featureScaleShrinksTheStoredScaleAndIsRecorded() throws IOException {
    Path scaledModel = dir.resolve("model-scale-2");
    CliRun scaled = CliRun.of(concat(new String[] {"train", "--data", csv.toString(), "--out",
        scaledModel.toString(), "--seed", "3", "--feature-scale", "2"}, TINY));
    assertThat(scaled.exitCode()).as(scaled.err()).isZero();
    JsonNode plain = JSON.readTree(model.resolve("manifest.json").toFile());
    JsonNode twice = JSON.readTree(scaledModel.resolve("manifest.json").toFile());
    assertThat(plain.get("provenance").get("feature_scale").asDouble()).isEqualTo(1.0);
    assertThat(twice.get("provenance").get("feature_scale").asDouble()).isEqualTo(2.0);
    for (int j = 0; j < 3; j++) {
      // Same seed, same held-out rows: same standardization, and a whitening twice as large, so the flow sees
      // standard deviation 2.
      assertThat(twice.get("standardization").get("mean").get(j).asDouble())
          .isEqualTo(plain.get("standardization").get("mean").get(j).asDouble());
      assertThat(twice.get("standardization").get("scale").get(j).asDouble())
          .isEqualTo(plain.get("standardization").get("scale").get(j).asDouble());
      for (int k = 0; k <= j; k++) {
        assertThat(twice.get("whitening").get("factor").get(j).get(k).asDouble())
            .isCloseTo(2 * plain.get("whitening").get("factor").get(j).get(k).asDouble(), within(1e-12));
      }
    }
    CliRun evaluate = CliRun.of("evaluate", "--model", scaledModel.toString(), "--data", csv.toString(), "--json");
    assertThat(evaluate.exitCode()).as(evaluate.err()).isZero();
    assertThat(JSON.readTree(evaluate.out()).get("auroc").asDouble()).isGreaterThan(0.9);
  }

  @Test
  void nonPositiveFeatureScaleIsAUsageErrorNamingTheFlag() {
    CliRun run = CliRun.of(concat(new String[] {"train", "--data", csv.toString(), "--out",
        dir.resolve("never").toString(), "--feature-scale", "0"}, TINY));
    assertThat(run.exitCode()).isNotZero();
    assertThat(run.err()).contains("--feature-scale");
    assertThat(dir.resolve("never")).doesNotExist();
  }

  @Test
  void scoreAgreesWithEvaluateRowForRow() throws IOException {
    CliRun evaluate = CliRun.of("evaluate", "--model", model.toString(), "--data", csv.toString(), "--json");
    assertThat(evaluate.exitCode()).as(evaluate.err()).isZero();
    JsonNode metrics = JSON.readTree(evaluate.out());
    assertThat(evaluate.out().strip().lines().count()).isEqualTo(1);
    assertThat(metrics.get("rows").asInt()).isEqualTo(320);
    assertThat(metrics.get("anomalies").asInt()).isEqualTo(20);
    assertThat(metrics.get("auroc").asDouble()).isGreaterThan(0.9);
    assertThat(metrics.get("auprc").asDouble()).isBetween(0.0, 1.0);

    Path scores = dir.resolve("scores.csv");
    CliRun score = CliRun.of("score", "--model", model.toString(), "--data", csv.toString(), "--out",
        scores.toString());
    assertThat(score.exitCode()).as(score.err()).isZero();
    List<String> lines = Files.readAllLines(scores);
    assertThat(lines.get(0)).isEqualTo(ScoreCommand.HEADER);
    assertThat(lines).hasSize(321);
    double sum = 0;
    int flagged = 0;
    for (String line : lines.subList(1, lines.size())) {
      String[] cells = line.split(",");
      double ll = Double.parseDouble(cells[0]);
      assertThat(Double.parseDouble(cells[1])).isEqualTo(-ll);
      assertThat(Double.parseDouble(cells[2])).isBetween(0.0, 1.0);
      assertThat(cells[5]).isEqualTo("SCORED");
      assertThat(Double.parseDouble(cells[4])).isLessThan(1e-6);
      sum -= ll;
      flagged += Boolean.parseBoolean(cells[3]) ? 1 : 0;
      assertThat(Boolean.parseBoolean(cells[3])).isEqualTo(-ll > metrics.get("threshold").asDouble());
    }
    assertThat(sum / 320).isCloseTo(metrics.get("nll").asDouble(), within(1e-9));
    assertThat(flagged).isEqualTo(metrics.get("flagged").asInt());
  }

  @Test
  void sampleWritesTheFeatureNamesAndFiniteRows() throws IOException {
    Path samples = dir.resolve("samples.csv");
    CliRun sample = CliRun.of("sample", "--model", model.toString(), "--rows", "50", "--out", samples.toString());
    assertThat(sample.exitCode()).as(sample.err()).isZero();
    List<String> lines = Files.readAllLines(samples);
    assertThat(lines.get(0)).isEqualTo("a,b,c");
    assertThat(lines).hasSize(51);
    for (String line : lines.subList(1, lines.size())) {
      for (String cell : line.split(",")) {
        assertThat(Double.isFinite(Double.parseDouble(cell))).isTrue();
      }
    }
  }

  @Test
  void aTamperedArtifactFailsVerification() throws IOException {
    Path copy = dir.resolve("tampered");
    Files.createDirectories(copy);
    try (var files = Files.list(model)) {
      for (Path file : files.toList()) {
        Files.copy(file, copy.resolve(file.getFileName()));
      }
    }
    Path manifest = copy.resolve("manifest.json");
    Files.writeString(manifest, Files.readString(manifest).replace("\"a\"", "\"A\""));
    CliRun run = CliRun.of("evaluate", "--model", copy.toString(), "--data", csv.toString(), "--json");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).contains("tampered");
  }

  @Test
  void theSameSeedGivesTheSameValidationNll() throws IOException {
    Path again = dir.resolve("again");
    CliRun second = CliRun.of(concat(new String[] {"train", "--data", csv.toString(), "--out", again.toString(),
        "--seed", "3"}, TINY));
    assertThat(second.exitCode()).as(second.err()).isZero();
    JsonNode first = JSON.readTree(model.resolve("manifest.json").toFile()).get("provenance");
    JsonNode repeat = JSON.readTree(again.resolve("manifest.json").toFile()).get("provenance");
    assertThat(repeat.get("validation_nll").asDouble()).isEqualTo(first.get("validation_nll").asDouble());
    assertThat(repeat.get("data_sha256").asText()).isEqualTo(first.get("data_sha256").asText());
  }
}
