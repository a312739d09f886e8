package io.impflow.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.impflow.model.calibration.Calibration;
import io.impflow.schemas.avro.DeadLetterReason;
import io.impflow.trainer.eval.DetectionMetrics;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DemoSummaryTest {
  /** Held-out log-likelihoods 0, -1, ..., -399: 400 rows, enough for a fitted tail. */
  private static final double[] HELD_OUT = java.util.stream.IntStream.range(0, 400).mapToDouble(i -> -i).toArray();
  private static final TrainedModel MODEL = new TrainedModel(Path.of("models/m"), "v1", true, List.of(), 0, 1.5,
      Calibration.fit(HELD_OUT, 0.01));
  private static final DetectionMetrics METRICS = DetectionMetrics.of(new double[] {-1, -2, -30, -40},
      new boolean[] {false, false, true, true}, new int[] {0, 0, 1, 1}, 10);
  private static final OperatingPoint AT_TRAIN_TARGET = new OperatingPoint(0.001, -35,
      DetectionMetrics.of(new double[] {-1, -2, -30, -40}, new boolean[] {false, false, false, true},
          new int[] {0, 0, 1, 1}, 35));
  private static final OperatingPoint AT_ONE_PERCENT = new OperatingPoint(0.01, -1.5,
      DetectionMetrics.of(new double[] {-1, -2, -30, -40}, new boolean[] {false, true, true, true},
          new int[] {0, 0, 1, 1}, 1.5));
  /** The summaries below serve a 2 % target. */
  private static final List<OperatingPoint> OTHERS = List.of(AT_TRAIN_TARGET, AT_ONE_PERCENT);

  private static DemoSummary summary(long scored, long deadLetters, int duplicates,
      Map<DeadLetterReason, Integer> got, List<String> unexpected) {
    return summary(scored, deadLetters, duplicates, got, unexpected, METRICS);
  }

  private static DemoSummary summary(long scored, long deadLetters, int duplicates,
      Map<DeadLetterReason, Integer> got, List<String> unexpected, DetectionMetrics metrics) {
    return new DemoSummary(10, 8, 2, scored, deadLetters, 2, duplicates, 4.0, 300, 900, -10, 0.02, metrics,
        OTHERS, got,
        Map.of(DeadLetterReason.MALFORMED_AVRO, 1, DeadLetterReason.UNKNOWN_SCHEMA, 1), unexpected, MODEL, 1000, 3.5);
  }

  @Test
  void recordsAddUpOnlyWhenScoresPlusDeadLettersMatchWhatWasWrittenWithoutDuplicates() {
    Map<DeadLetterReason, Integer> asInjected =
        Map.of(DeadLetterReason.MALFORMED_AVRO, 1, DeadLetterReason.UNKNOWN_SCHEMA, 1);

    assertThat(summary(8, 2, 0, asInjected, List.of()).accountedFor()).isTrue();
    assertThat(summary(7, 2, 0, asInjected, List.of()).accountedFor()).isFalse();
    assertThat(summary(8, 2, 1, asInjected, List.of()).accountedFor()).isFalse();
    assertThat(summary(8, 2, 0, asInjected, List.of()).throughput()).isEqualTo(2.5);
  }

  @Test
  void deadLettersMatchOnlyWhenEveryReasonCountsAsInjected() {
    assertThat(summary(8, 2, 0, Map.of(DeadLetterReason.MALFORMED_AVRO, 1, DeadLetterReason.UNKNOWN_SCHEMA, 1),
        List.of()).deadLettersAsInjected()).isTrue();
    assertThat(summary(8, 2, 0, Map.of(DeadLetterReason.MALFORMED_AVRO, 2), List.of()).deadLettersAsInjected())
        .isFalse();
    assertThat(summary(8, 2, 0, Map.of(DeadLetterReason.MALFORMED_AVRO, 1, DeadLetterReason.UNKNOWN_SCHEMA, 1),
        List.of("r-3 (SOLVER_NOT_CONVERGED)")).deadLettersAsInjected()).isFalse();
  }

  @Test
  void theTextNamesEveryFigure() {
    String text = summary(8, 2, 0, Map.of(DeadLetterReason.MALFORMED_AVRO, 1, DeadLetterReason.UNKNOWN_SCHEMA, 1),
        List.of()).format(Path.of("reports/r1"));

    assertThat(text).contains("10 (8 shuttle test rows, 2 of them outliers, + 2 malformed)")
        .contains("= written (nothing lost, nothing twice)")
        .contains("p50 300 ms, p99 900 ms")
        .contains("AUROC 1.0000")
        .contains("MALFORMED_AVRO 1, UNKNOWN_SCHEMA 1 - each as injected")
        .contains("reports/r1");
  }

  @Test
  void recallAndFalsePositivesAreReportedAtTheServedTargetAtTrainsDefaultAndAtOnePercent() throws Exception {
    DemoSummary summary = summary(8, 2, 0, Map.of(), List.of());
    assertThat(summary.format(null))
        .contains("at the threshold     precision 1.0000, recall 1.0000, false-positive rate 0.0000 (target FPR 2 %,"
            + " the demo's --target-fpr; the job serves it)")
        .contains("at train's 0.1 %     precision 1.0000, recall 0.5000, false-positive rate 0.0000 (threshold"
            + " -35.000: what train writes by default")
        .contains("at 1 %               precision 0.6667, recall 1.0000, false-positive rate 0.5000 (threshold"
            + " -1.500: the served model's held-out table and tail at this target");
    String json = new ObjectMapper().writeValueAsString(summary.toMap());
    assertThat(json).contains("\"target_fpr\":0.02").contains("\"other_targets\":[{\"target_fpr\":0.001,"
        + "\"threshold_log_likelihood\":-35.0").contains("\"recall\":0.5");

    DemoSummary atTrainsTarget = new DemoSummary(10, 8, 2, 8, 2, 2, 0, 4.0, 300, 900, -35, 0.001, METRICS,
        List.of(AT_ONE_PERCENT), Map.of(), Map.of(), List.of(), MODEL, 1000, 3.5);
    assertThat(atTrainsTarget.format(null)).contains("(target FPR 0.1 %, train's default; the job serves it)")
        .contains("at 1 %").doesNotContain("at train's 0.1 %");
  }

  @Test
  void theOperatingPointAtAnotherTargetFlagsBelowThatTargetsThresholdAndCountsUnscoredRowsAsFlagged() {
    Calibration served = MODEL.calibration();
    Calibration atTrain = served.withTargetFpr(0.001);
    assertThat(atTrain.threshold()).isLessThan(served.threshold());
    double between = (atTrain.threshold() + served.threshold()) / 2;
    DemoSummary.Scores scores = new DemoSummary.Scores(new double[] {-1, between, atTrain.threshold() - 1, Double.NaN},
        new boolean[] {false, true, true, true}, new int[] {0, 1, 1, 0});

    OperatingPoint point = OperatingPoint.of(scores, atTrain);

    assertThat(point.targetFpr()).isEqualTo(0.001);
    assertThat(point.thresholdLogLikelihood()).isEqualTo(Calibration.fit(HELD_OUT, 0.001).threshold());
    assertThat(point.detection().flagged()).isEqualTo(2);
    assertThat(point.detection().recall()).isEqualTo(0.5);
    assertThat(point.detection().falsePositiveRate()).isEqualTo(0.5);
  }

  @Test
  void aRowDepartingFromAConstantFeatureIsNamedAndTheFiguresStayFinite() throws Exception {
    DetectionMetrics departed = DetectionMetrics.of(new double[] {-1, -2, Double.NEGATIVE_INFINITY, -39},
        new boolean[] {false, false, true, true}, new int[] {0, 0, 1, 1}, 10);
    DemoSummary summary = summary(8, 2, 0, Map.of(), List.of(), departed);
    assertThat(summary.format(null)).contains("1 rows depart from a feature that was constant in training");
    String json = new ObjectMapper().writeValueAsString(summary.toMap());
    assertThat(json).contains("\"constant_departures\":1").contains("\"nll\":14.0").doesNotContain("Infinity");
  }

  @Test
  void latencyIsCalledQueueingOnlyWhenRecordsWereWrittenFasterThanScoredAndWaitedLong() {
    Map<DeadLetterReason, Integer> got = Map.of(DeadLetterReason.MALFORMED_AVRO, 1, DeadLetterReason.UNKNOWN_SCHEMA, 1);
    DemoSummary paced = summary(8, 2, 0, got, List.of());
    DemoSummary flooded = new DemoSummary(10, 8, 2, 8, 2, 2, 0, 4.0, 3000, 3900, -10, 0.02, METRICS,
        OTHERS, got, got, List.of(),
        MODEL, 1000, 0.5);
    DemoSummary floodedButFast = new DemoSummary(10, 8, 2, 8, 2, 2, 0, 4.0, 1500, 1900, -10, 0.02, METRICS,
        OTHERS, got, got,
        List.of(), MODEL, 1000, 0.5);

    assertThat(paced.queued()).isFalse();
    assertThat(floodedButFast.queued()).isFalse();
    assertThat(paced.format(null)).doesNotContain("queueing");
    assertThat(flooded.queued()).isTrue();
    assertThat(flooded.format(null)).contains("mostly queueing");
  }

  @Test
  void percentilesAreNearestRank() {
    List<Long> values = List.of(5L, 1L, 4L, 2L, 3L, 10L, 9L, 8L, 7L, 6L);

    assertThat(DemoSummary.percentile(values, 50)).isEqualTo(5);
    assertThat(DemoSummary.percentile(values, 99)).isEqualTo(10);
    assertThat(DemoSummary.percentile(List.of(), 50)).isZero();
  }
}
