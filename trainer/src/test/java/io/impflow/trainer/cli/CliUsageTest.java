package io.impflow.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Help, usage errors and bad input through the real command line (exit codes 0 / 2 / 1, no partial output). */
class CliUsageTest {

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"train", "evaluate", "score", "sample"})
  void everyCommandHasHelp(String command) {
    // picocli reports an unformattable description (e.g. a lone '%') on System.err, not on the command's writer.
    PrintStream systemErr = System.err;
    ByteArrayOutputStream tracer = new ByteArrayOutputStream();
    CliRun run;
    System.setErr(new PrintStream(tracer, true, StandardCharsets.UTF_8));
    try {
      run = CliRun.of(command, "--help");
    } finally {
      System.setErr(systemErr);
    }
    assertThat(tracer.toString(StandardCharsets.UTF_8)).doesNotContain("picocli WARN");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("Usage: impflow " + command);
    if (!command.equals("sample")) {
      assertThat(run.out()).contains("--data=SRC").contains("kafka://").contains("toy:NAME");
    }
  }

  @Test
  void trainHelpDocumentsDevicesConstantFeaturesAndSplits() {
    String help = CliRun.of("train", "--help").out();
    assertThat(help).contains("--device=DEV").contains("./impflow build --gpu").contains("constant feature")
        .contains("--split=PROTOCOL").contains("70 % of the normal rows").contains("--target-fpr=P")
        .contains("--dtype=T");
  }

  @Test
  void unknownFlagAndBadValuesAreUsageErrors() {
    assertThat(CliRun.of("train", "--data", "toy:moons", "--out", dir.resolve("m").toString(), "--bogus")
        .exitCode()).isEqualTo(2);
    CliRun badBatch = CliRun.of("train", "--data", "toy:moons", "--out", dir.resolve("m").toString(),
        "--batch-size", "0");
    assertThat(badBatch.exitCode()).isEqualTo(2);
    assertThat(badBatch.err()).contains("--batch-size must be >= 1, got 0");
    CliRun badLipschitz = CliRun.of("train", "--data", "toy:moons", "--out", dir.resolve("m").toString(),
        "--lipschitz", "1.5");
    assertThat(badLipschitz.exitCode()).isEqualTo(2);
    assertThat(badLipschitz.err()).contains("--lipschitz must be in (0, 1)");
    assertThat(CliRun.of("frobnicate").exitCode()).isEqualTo(2);
    assertThat(CliRun.of().exitCode()).isEqualTo(2);
  }

  @Test
  void retrainHasHelpAndRefusesBadFlagsNamingThem() {
    CliRun help = CliRun.of("retrain", "--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("Usage: impflow retrain").contains("--window=DURATION")
        .contains("--window-records=N").contains("--serving=STORE_URI").contains("--every=DURATION")
        .contains("--on-drift").contains("--keep=N").contains("--report=FILE").contains("--kafka-property=KEY=VALUE")
        .contains("--input-encoding=single-object|confluent").contains("--schema-registry-url=URL[,URL...]");
    String store = dir.resolve("store").toString();
    String[][] bad = {
        {"--from", "kafka://localhost:1/events", "--serving", store}, 
        {"--from", "kafka://localhost:1/events", "--serving", store, "--window", "6h", "--window-records", "10"},
        {"--from", "kafka://localhost:1/events", "--serving", store, "--window", "six hours"},
        {"--from", "http://localhost:1/events", "--serving", store, "--window", "6h"},
        {"--from", "kafka://localhost:1/events", "--serving", store, "--window", "6h", "--gate-fraction", "1.5"},
        {"--from", "kafka://localhost:1/events", "--serving", store, "--window", "6h", "--kafka-property", "novalue"},
        {"--from", "kafka://localhost:1/events", "--serving", store, "--window", "6h", "--every", "1h",
            "--on-drift"},
        {"--from", "kafka://localhost:1/events", "--serving", store, "--window", "6h", "--input-encoding", "json"},
        {"--from", "kafka://localhost:1/events", "--serving", store, "--window", "6h", "--input-encoding",
            "confluent"},
        {"--from", "kafka://localhost:1/events", "--serving", store, "--window", "6h", "--input-encoding",
            "confluent", "--schema-registry-url", "localhost:8081"},
        {"--from", "kafka://localhost:1/events", "--serving", store, "--window", "6h", "--schema-registry-url",
            "http://localhost:8081"}};
    String[] messages = {"--window DURATION or --window-records N", "--window DURATION or --window-records N",
        "--window must be a duration", "--from must be kafka://", "--gate-fraction must be in (0, 1)",
        "--kafka-property must be KEY=VALUE", "--every and --on-drift: choose one",
        "--input-encoding must be single-object or confluent, got 'json'",
        "--input-encoding confluent needs --schema-registry-url",
        "--schema-registry-url 'localhost:8081' needs an http:// or https:// scheme, e.g. http://localhost:8081",
        "--schema-registry-url is only used with --input-encoding confluent"};
    for (int i = 0; i < bad.length; i++) {
      String[] args = new String[bad[i].length + 1];
      args[0] = "retrain";
      System.arraycopy(bad[i], 0, args, 1, bad[i].length);
      CliRun run = CliRun.of(args);
      assertThat(run.exitCode()).as(String.join(" ", args)).isEqualTo(2);
      assertThat(run.err()).as(String.join(" ", args)).contains(messages[i]);
    }
    assertThat(Files.exists(dir.resolve("store"))).isFalse();
  }

  @Test
  void aKafkaDataSourceWithABadFramingFlagFailsNamingTheFlag() {
    CliRun run = CliRun.of("train", "--data", "kafka://localhost:1/events", "--out", dir.resolve("m").toString(),
        "--input-encoding", "confluent", "--schema-registry-url", "registry:8081");
    assertThat(run.exitCode()).isNotZero();
    assertThat(run.err()).contains("--schema-registry-url 'registry:8081' needs an http:// or https:// scheme");
    assertThat(CliRun.of("train", "--help").out()).contains("--input-encoding=single-object|confluent")
        .contains("--schema-registry-url=URL[,URL...]");
  }

  @Test
  void anExistingNonEmptyOutputDirectoryIsNeverOverwritten() throws IOException {
    Path out = Files.createDirectories(dir.resolve("model"));
    Files.writeString(out.resolve("keep.txt"), "mine");
    CliRun run = CliRun.of("train", "--data", "toy:moons", "--out", out.toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("already exists");
    assertThat(Files.readString(out.resolve("keep.txt"))).isEqualTo("mine");
  }

  private CliRun trainOn(String csvContent, String... extra) throws IOException {
    Path csv = Files.writeString(dir.resolve("in.csv"), csvContent);
    String[] base = {"train", "--data", csv.toString(), "--out", dir.resolve("out").toString(), "--device", "cpu"};
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    return CliRun.of(args);
  }

  @Test
  void badCsvInputFailsWithFileLineAndColumnAndWritesNoModel() throws IOException {
    CliRun missing = CliRun.of("train", "--data", dir.resolve("absent.csv").toString(), "--out",
        dir.resolve("out").toString(), "--device", "cpu");
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err()).contains("data file not found").contains("absent.csv");

    assertThat(trainOn("").err()).contains("is empty");
    assertThat(trainOn("a,b\n").err()).contains("no data rows");
    CliRun ragged = trainOn("a,b\n1,2\n3,4,5\n");
    assertThat(ragged.exitCode()).isEqualTo(1);
    assertThat(ragged.err()).contains("in.csv line 3").contains("3 cells");
    CliRun text = trainOn("a,b\n1,2\n3,x\n");
    assertThat(text.err()).contains("line 3, column 2 ('b')").contains("'x' is not a number");
    assertThat(trainOn("a,b\n1,Infinity\n").err()).contains("line 2, column 2").contains("not a finite number");
    assertThat(trainOn("a,b\n1,NaN\n").err()).contains("line 2, column 2").contains("not a finite number");
    CliRun label = trainOn("a,b\n1,2\n", "--label-column", "target");
    assertThat(label.exitCode()).isEqualTo(1);
    assertThat(label.err()).contains("label column 'target'");
    assertThat(Files.exists(dir.resolve("out"))).isFalse();
  }

  @Test
  void gpuWithoutAGpuIsAClearFailure() {
    CliRun run = CliRun.of("train", "--data", "toy:moons", "--out", dir.resolve("out").toString(),
        "--device", "gpu");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("--device gpu").contains("no usable GPU").contains("--device cpu");
    assertThat(Files.exists(dir.resolve("out"))).isFalse();
  }

  @Test
  void aModelDirectoryThatIsNotAnArtifactIsRefused() throws IOException {
    Path fake = Files.createDirectories(dir.resolve("fake-model"));
    Files.writeString(fake.resolve("manifest.json"), "{}");
    Path csv = Files.writeString(dir.resolve("in.csv"), "a,b\n1,2\n");
    CliRun run = CliRun.of("evaluate", "--model", fake.toString(), "--data", csv.toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("fake-model");
    CliRun absent = CliRun.of("score", "--model", dir.resolve("nothing").toString(), "--data", csv.toString(),
        "--out", dir.resolve("s.csv").toString());
    assertThat(absent.exitCode()).isEqualTo(1);
    assertThat(Files.exists(dir.resolve("s.csv"))).isFalse();
  }
}
