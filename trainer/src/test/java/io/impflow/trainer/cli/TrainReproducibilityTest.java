package io.impflow.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.impflow.trainer.fit.TrainingSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A model is a function of (data, settings, seed): {@code train} run twice on the same rows with the same seed, once
 * on a quiet machine and once with two busy processes beside it, writes the same weights, threshold and version,
 * because its budgets come from the data and not from a clock.
 */
class TrainReproducibilityTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void sameDataAndSeedGiveTheSameModelOnAQuietAndABusyMachine() throws Exception {
    Path csv = contaminatedCsv(dir.resolve("rows.csv"));
    String[] common = {"train", "--data", csv.toString(), "--seed", "5", "--blocks", "1", "--hidden", "16"};
    Path quiet = dir.resolve("quiet");
    CliRun first = CliRun.of(with(common, "--out", quiet.toString()));
    assertThat(first.exitCode()).as(first.err()).isZero();

    Path busy = dir.resolve("busy");
    List<Process> load = new ArrayList<>();
    CliRun second;
    try {
      for (int i = 0; i < 2; i++) {
        load.add(new ProcessBuilder("sh", "-c", "while :; do :; done").start());
      }
      second = CliRun.of(with(common, "--out", busy.toString()));
    } finally {
      load.forEach(Process::destroyForcibly);
    }
    assertThat(second.exitCode()).as(second.err()).isZero();

    assertThat(Files.readAllBytes(busy.resolve("params.bin"))).isEqualTo(Files.readAllBytes(quiet.resolve("params.bin")));
    JsonNode a = JSON.readTree(quiet.resolve("manifest.json").toFile());
    JsonNode b = JSON.readTree(busy.resolve("manifest.json").toFile());
    assertThat(b.get("version").asText()).isEqualTo(a.get("version").asText());
    assertThat(b.get("calibration")).isEqualTo(a.get("calibration"));
    assertThat(b.get("standardization")).isEqualTo(a.get("standardization"));
    assertThat(b.get("whitening")).isEqualTo(a.get("whitening"));
    JsonNode provenance = b.get("provenance");
    assertThat(provenance.get("steps").asLong()).isEqualTo(a.get("provenance").get("steps").asLong()).isPositive();
    assertThat(provenance.get("max_steps_setting").asText()).isEqualTo("auto");
    assertThat(provenance.get("contamination_setting").asText()).isEqualTo("auto");
    // the estimate found the planted anomalies (5 % of the rows)
    assertThat(provenance.get("contamination").asDouble()).isBetween(0.02, 0.12);
  }

  @Test
  void trainFlagDefaultsAreTheTrainingSettingsDefaults() {
    CommandLine.ParseResult parsed = ImpflowCli.commandLine().parseArgs("train", "--data", "rows.csv", "--out",
        "model");
    TrainCommand command = (TrainCommand) parsed.subcommand().commandSpec().userObject();
    assertThat(command.settings()).isEqualTo(TrainingSettings.defaults());
  }

  /** 280 rows (fewer than a cross-fitted calibration needs) of a correlated 4-D Gaussian, every 20th moved far away. */
  private static Path contaminatedCsv(Path file) throws IOException {
    Random random = new Random(21);
    StringBuilder text = new StringBuilder("a,b,c,d\n");
    for (int i = 0; i < 280; i++) {
      double u = random.nextGaussian();
      double[] row = {u, 0.8 * u + 0.6 * random.nextGaussian(), random.nextGaussian(), 2 + random.nextGaussian()};
      if (i % 20 == 0) {
        for (int j = 0; j < row.length; j++) {
          row[j] += (random.nextBoolean() ? 6 : -6) + random.nextGaussian();
        }
      }
      text.append(String.format(Locale.ROOT, "%.6f,%.6f,%.6f,%.6f%n", row[0], row[1], row[2], row[3]));
    }
    return Files.writeString(file, text);
  }

  private static String[] with(String[] base, String... more) {
    String[] all = new String[base.length + more.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }
}
