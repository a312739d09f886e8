package io.impflow.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.impflow.model.flow.ActivationKind;
import io.impflow.model.flow.Architecture;
import io.impflow.schemas.avro.DeadLetterReason;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's pipeline end to end on a small sample: a real broker process, a freshly trained model, the Flink job on
 * a MiniCluster, the replay with every kind of malformed record, and the summary figures.
 */
class DemoPipelineIT {
  private static final int ROWS = 300;
  private static final int MALFORMED_PER_KIND = 2;

  @TempDir Path work;

  @Test
  void everyRecordComesBackScoredOrDeadLetteredAndTheOutliersRankHigh() throws Exception {
    TrainingSettings training = new TrainingSettings(Architecture.IMPFLOW, 2, 16, 2, ActivationKind.SIN, 0.97, 2,
        256, 2e-3, 2, 2_000, 0.1, 0.01, 1L);
    DemoSettings settings = new DemoSettings(ProjectHome.resolve(), null, 0, ROWS, MALFORMED_PER_KIND, 7L, 0,
        Duration.ofMillis(500), Duration.ofSeconds(90), false, false, work.resolve("models"), work.resolve("reports"),
        training);
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    DemoResult result;
    Long brokerPid;
    Path temporary;
    try (DemoPipeline pipeline = new DemoPipeline(settings, new PrintStream(console, true, StandardCharsets.UTF_8))) {
      result = pipeline.run();
      brokerPid = pipeline.brokerPid();
      temporary = pipeline.temporaryDirectory();
    }
    DemoSummary summary = result.summary();
    String output = console.toString(StandardCharsets.UTF_8);

    int malformed = MALFORMED_PER_KIND * MalformedKind.values().length;
    assertThat(summary.produced()).isEqualTo(ROWS + malformed);
    assertThat(summary.scored()).isEqualTo(ROWS);
    assertThat(summary.scored() + summary.deadLetters()).isEqualTo(summary.produced());
    assertThat(summary.duplicates()).isZero();
    assertThat(summary.deadLettersByReason()).isEqualTo(Map.of(
        DeadLetterReason.MALFORMED_AVRO, 3 * MALFORMED_PER_KIND,
        DeadLetterReason.UNKNOWN_SCHEMA, MALFORMED_PER_KIND,
        DeadLetterReason.NON_FINITE_VALUE, MALFORMED_PER_KIND,
        DeadLetterReason.DIMENSION_MISMATCH, MALFORMED_PER_KIND));
    assertThat(summary.unexpectedDeadLetters()).isEmpty();
    assertThat(summary.accountedFor()).isTrue();
    assertThat(summary.alerts()).isEqualTo(summary.detection().flagged());
    assertThat(summary.detection().rows()).isEqualTo(ROWS);
    assertThat(summary.detection().anomalies()).isBetween(1, ROWS - 1);
    assertThat(summary.detection().auroc()).isNotNull().isGreaterThan(0.9);
    assertThat(summary.latencyP50Millis()).isPositive();
    assertThat(summary.latencyP99Millis()).isGreaterThanOrEqualTo(summary.latencyP50Millis());
    assertThat(summary.model().reused()).isFalse();
    assertThat(summary.model().directory()).startsWith(work.resolve("models")).isDirectory();

    assertThat(result.reportDirectory()).startsWith(work.resolve("reports"));
    for (String file : new String[] {"index.html", "summary.json", "score-histogram.png", "roc-curve.png",
        "training-curves.png"}) {
      assertThat(result.reportDirectory().resolve(file)).isNotEmptyFile();
    }
    assertThat(Files.readString(result.reportDirectory().resolve("summary.json"))).contains("\"auroc\"");

    assertThat(output).contains("[2/7]", "[3/7]", "[4/7]", "[5/7]", "[6/7]", "scored " + ROWS);
    assertThat(brokerPid).isNotNull();
    assertThat(ProcessHandle.of(brokerPid).filter(ProcessHandle::isAlive)).as("broker process stopped").isEmpty();
    assertThat(temporary).doesNotExist();
  }
}
