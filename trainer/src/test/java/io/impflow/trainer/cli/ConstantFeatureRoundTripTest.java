package io.impflow.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

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

/**
 * A feature that is constant in the training rows, end to end through the real command line: training accepts it
 * without flags and keeps its value in the artifact; {@code score} flags every row that departs from it with the
 * feature named; {@code evaluate --json} counts those rows and keeps its mean NLL finite.
 */
class ConstantFeatureRoundTripTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** The constant column and its training value. */
  private static final String CONSTANT = "firmware";
  private static final double VALUE = 7.0;

  @TempDir static Path dir;
  static Path model;
  static Path mixed;
  static CliRun training;
  /** Row indices (in {@link #mixed}) whose constant column differs from {@link #VALUE}. */
  static final List<Integer> DEPARTING = List.of(3, 17, 40);

  @BeforeAll
  static void trainOnce() throws IOException {
    Random random = new Random(5);
    Path train = Files.writeString(dir.resolve("train.csv"), rows(random, 300, List.of()));
    mixed = Files.writeString(dir.resolve("mixed.csv"), rows(random, 60, DEPARTING));
    model = dir.resolve("model");
    training = CliRun.of("train", "--data", train.toString(), "--out", model.toString(), "--seed", "3",
        "--blocks", "1", "--hidden", "8", "--layers", "1", "--epochs", "2", "--batch-size", "64",
        "--device", "cpu");
  }

  /** Correlated Gaussian a, b, c and the constant column between them; rows in {@code departing} get another value. */
  private static String rows(Random random, int n, List<Integer> departing) {
    StringBuilder text = new StringBuilder("a,b," + CONSTANT + ",c,y\n");
    for (int i = 0; i < n; i++) {
      double u = random.nextGaussian();
      double k = departing.contains(i) ? VALUE + (i % 2 == 0 ? 1 : -0.5) : VALUE;
      text.append(String.format(Locale.ROOT, "%.6f,%.6f,%s,%.6f,%d%n", 10 + 2 * u,
          -5 + u + 0.3 * random.nextGaussian(), k, 100 + 20 * random.nextGaussian(), departing.contains(i) ? 1 : 0));
    }
    return text.toString();
  }

  @Test
  void trainingAcceptsTheConstantColumnAndKeepsItsValue() throws IOException {
    assertThat(training.exitCode()).as(training.err()).isZero();
    JsonNode manifest = JSON.readTree(model.resolve("manifest.json").toFile());
    assertThat(manifest.get("featureNames").toString()).isEqualTo("[\"a\",\"b\",\"" + CONSTANT + "\",\"c\"]");
    JsonNode constants = manifest.get("constantFeatures");
    assertThat(constants).hasSize(1);
    assertThat(constants.get(0).get("index").asInt()).isEqualTo(2);
    assertThat(constants.get(0).get("name").asText()).isEqualTo(CONSTANT);
    assertThat(constants.get(0).get("value").asDouble()).isEqualTo(VALUE);
  }

  @Test
  void scoreFlagsEveryDepartingRowWithTheFeatureNamed() throws IOException {
    Path scores = dir.resolve("scores.csv");
    CliRun score = CliRun.of("score", "--model", model.toString(), "--data", mixed.toString(), "--out",
        scores.toString());
    assertThat(score.exitCode()).as(score.err()).isZero();
    List<String> lines = Files.readAllLines(scores);
    assertThat(lines.get(0)).isEqualTo(ScoreCommand.HEADER).endsWith(",constant_departure");
    assertThat(lines).hasSize(61);
    double smallestFiniteRowPValue = Double.POSITIVE_INFINITY;
    double departingPValue = Double.NaN;
    for (int i = 0; i < 60; i++) {
      String[] cells = lines.get(i + 1).split(",", -1);
      assertThat(cells).hasSize(7);
      assertThat(cells[5]).isEqualTo("SCORED");
      double pValue = Double.parseDouble(cells[2]);
      if (DEPARTING.contains(i)) {
        assertThat(cells[6]).as("row %d", i).isEqualTo(CONSTANT);
        assertThat(Double.parseDouble(cells[0])).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(Double.parseDouble(cells[1])).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(cells[3]).isEqualTo("true");
        assertThat(pValue).isGreaterThanOrEqualTo(0.0).isLessThan(0.01);
        departingPValue = pValue;
      } else {
        assertThat(cells[6]).as("row %d", i).isEmpty();
        assertThat(Double.parseDouble(cells[0])).isFinite();
        smallestFiniteRowPValue = Math.min(smallestFiniteRowPValue, pValue);
      }
    }
    // −∞ gets the calibration's smallest tail probability (0 beyond a fitted tail's end point), not NaN.
    assertThat(departingPValue).isLessThanOrEqualTo(smallestFiniteRowPValue);
  }

  @Test
  void evaluateCountsTheDeparturesAndKeepsTheMeanNllFinite() throws IOException {
    CliRun evaluate = CliRun.of("evaluate", "--model", model.toString(), "--data", mixed.toString(), "--json");
    assertThat(evaluate.exitCode()).as(evaluate.err()).isZero();
    JsonNode metrics = JSON.readTree(evaluate.out());
    assertThat(metrics.get("rows").asInt()).isEqualTo(60);
    assertThat(metrics.get("unscored").asInt()).isZero();
    assertThat(metrics.get("constant_departures").asInt()).isEqualTo(DEPARTING.size());
    assertThat(metrics.get("nll").isNumber()).as(evaluate.out()).isTrue();
    assertThat(metrics.get("nll").asDouble()).isFinite();
    assertThat(metrics.get("nll_normal").asDouble()).isFinite();
    // The departing rows are the labelled anomalies: all flagged, ranked above every other row.
    assertThat(metrics.get("recall").asDouble()).isEqualTo(1.0);
    assertThat(metrics.get("auroc").asDouble()).isEqualTo(1.0);

    CliRun table = CliRun.of("evaluate", "--model", model.toString(), "--data", mixed.toString());
    assertThat(table.exitCode()).as(table.err()).isZero();
    assertThat(table.out()).contains("departures   " + DEPARTING.size());
  }
}
