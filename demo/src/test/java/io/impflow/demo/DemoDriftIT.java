package io.impflow.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.impflow.model.flow.Architecture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./impflow demo --drift} end to end on a sample, with a small model: after the labelled replay, the shifted
 * replay is flagged by model-health, the retrain from the topic passes the gate, the job swaps, every record of the
 * lifecycle steps is scored exactly once, and the report has the model-health chart.
 */
class DemoDriftIT {
  /** Enough test rows that the shifted replay fills a health window of the job's minimum record count. */
  private static final int ROWS = 6000;

  @TempDir Path work;

  @Test
  void theShiftedReplayIsFlaggedRetrainedAndSwapped() throws Exception {
    DemoTraining training = new DemoTraining(SmallTraining.settings(Architecture.IMPFLOW, 2, 16, 2, 40, 0.01, 1L),
        3_000, 1L);
    DemoSettings settings = new DemoSettings(ProjectHome.resolve(), null, 0, ROWS, 1, 7L, 0, Duration.ofMillis(500),
        Duration.ofSeconds(90), false, false, work.resolve("models"), work.resolve("reports"), training, true);
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    DemoResult result;
    try (DemoPipeline pipeline = new DemoPipeline(settings, new PrintStream(console, true, StandardCharsets.UTF_8))) {
      result = pipeline.run();
    }
    String text = console.toString(StandardCharsets.UTF_8);
    System.out.print(text);

    DemoSummary summary = result.summary();
    assertThat(summary.scored() + summary.deadLetters()).isEqualTo(summary.produced());
    assertThat(summary.duplicates()).isZero();
    DriftSummary drift = result.drift();
    assertThat(drift).isNotNull();
    assertThat(drift.driftWindow().getDrift()).isTrue();
    assertThat(drift.driftWindow().getModelVersion()).isEqualTo(drift.servingVersion());
    assertThat(drift.driftWindow().getWindowStart().toEpochMilli()).isGreaterThanOrEqualTo(drift.shiftMillis());
    assertThat(drift.decision().published()).as(drift.decision().summary()).isTrue();
    assertThat(drift.decision().announced()).isTrue();
    assertThat(drift.candidateVersion()).isNotEqualTo(drift.servingVersion());
    assertThat(drift.swapMillis()).isGreaterThanOrEqualTo(drift.announceMillis());
    assertThat(drift.accountedFor()).as("lifecycle records scored exactly once").isTrue();
    assertThat(drift.freshNew().rows()).isPositive();
    assertThat(drift.freshNew().rows() + drift.freshOld().rows() + drift.shifted().rows() + drift.baseline().rows())
        .isEqualTo(drift.written());
    assertThat(drift.windows()).anyMatch(w -> w.getModelVersion().equals(drift.candidateVersion()));
    assertThat(text).contains("[drift 1/5]", "[drift 2/5]", "[drift 3/5]", "[drift 4/5]", "[drift 5/5]", "DRIFT",
        "passed the gate", "swapped:");
    assertThat(result.reportDirectory().resolve("model-health.png")).isNotEmptyFile();
    assertThat(Files.readString(result.reportDirectory().resolve("summary.json"))).contains("\"drift\"",
        "\"candidate_version\" : \"" + drift.candidateVersion() + "\"");
  }
}
