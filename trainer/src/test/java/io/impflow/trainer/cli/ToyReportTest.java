package io.impflow.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Toy data through train and evaluate with reports: the 2D heat-map and the ROC-free evaluation output. */
class ToyReportTest {

  @TempDir Path dir;

  @Test
  void toyTrainingDrawsADensityHeatMapAndEvaluatesOnFreshRows() {
    Path model = dir.resolve("model");
    CliRun train = CliRun.of("train", "--data", "toy:8gaussians", "--rows", "400", "--out", model.toString(),
        "--blocks", "1", "--hidden", "8", "--layers", "1", "--epochs", "1", "--batch-size", "100",
        "--device", "cpu", "--report", dir.resolve("train-report").toString());
    assertThat(train.exitCode()).as(train.err()).isZero();
    assertThat(dir.resolve("train-report/density-heatmap.png")).isNotEmptyFile();
    CliRun evaluate = CliRun.of("evaluate", "--model", model.toString(), "--data", "toy:8gaussians", "--rows",
        "300", "--seed", "9", "--report", dir.resolve("eval-report").toString());
    assertThat(evaluate.exitCode()).as(evaluate.err()).isZero();
    assertThat(evaluate.out()).contains("rows         300").doesNotContain("auroc");
    assertThat(dir.resolve("eval-report/score-histogram.png")).isNotEmptyFile();
    assertThat(dir.resolve("eval-report/density-heatmap.png")).isNotEmptyFile();
  }
}
