package io.impflow.job.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.impflow.job.decode.FeatureRecord;
import io.impflow.job.decode.RawRecord;
import io.impflow.model.calibration.Calibration;
import io.impflow.model.scoring.BatchScores;
import io.impflow.model.scoring.RowStatus;
import io.impflow.schemas.avro.Alert;
import io.impflow.schemas.avro.DeadLetter;
import io.impflow.schemas.avro.DeadLetterReason;
import io.impflow.schemas.avro.ScoredEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ScoredBatchRouterTest {
  private static final List<String> FEATURES = List.of("a", "b");
  /** Held-out log-likelihoods -1, -2, ..., -100: the 5 % threshold lies near -95. */
  private static final Calibration CALIBRATION =
      Calibration.fit(IntStream.rangeClosed(1, 100).mapToDouble(i -> -i).toArray(), 0.05);

  private final List<ScoredEvent> scores = new ArrayList<>();
  private final List<Alert> alerts = new ArrayList<>();
  private final List<DeadLetter> deadLetters = new ArrayList<>();
  private final ScoredOutputs outputs = new ScoredOutputs() {
    @Override
    public void score(ScoredEvent event) {
      scores.add(event);
    }

    @Override
    public void alert(Alert alert) {
      alerts.add(alert);
    }

    @Override
    public void deadLetter(DeadLetter deadLetter) {
      deadLetters.add(deadLetter);
    }
  };

  private static FeatureRecord record(String id, long offset, double a, double b) {
    return new FeatureRecord(id, 1000 + offset, new double[] {a, b}, new RawRecord("events", 0, offset, 0L, null,
        new byte[] {1, 2}));
  }

  private final List<FeatureRecord> batch = List.of(record("normal", 10, 0.1, 0.2), record("odd", 11, 9, -9),
      record("stuck", 12, 1, 1), record("nan", 13, Double.NaN, 0));
  /** Rows the stand-in model was asked to explain, call by call. */
  private final List<double[][]> attributionCalls = new ArrayList<>();
  /**
   * A stand-in for {@code DensityModel.attribution(double[][])} (which model/ tests against autograd): every row's
   * attribution is (20, −5) plus its first feature in the second place; rows with a &gt; 50 cannot be explained.
   */
  private final Function<double[][], double[][]> attribution = rows -> {
    attributionCalls.add(rows);
    double[][] out = new double[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      out[i] = rows[i][0] > 50 ? null : new double[] {20, -5 + rows[i][0]};
    }
    return out;
  };

  private final BatchScores modelScores = new BatchScores(new double[] {-40.0, -250.0, Double.NaN, Double.NaN},
      new double[] {1e-13, 2e-13, 0.3, Double.NaN}, new int[] {6, 9, 200, 0},
      new RowStatus[] {RowStatus.SCORED, RowStatus.SCORED, RowStatus.NOT_CONVERGED, RowStatus.NON_FINITE_INPUT});

  @Test
  void routesEveryRowExactlyOnceAndAlertsBelowTheCalibratedThreshold() {
    ScoredBatchRouter router = new ScoredBatchRouter("v7", FEATURES, CALIBRATION.threshold(), CALIBRATION);
    router.route(batch, modelScores, attribution, outputs);

    assertThat(scores).extracting(ScoredEvent::getId).containsExactly("normal", "odd");
    ScoredEvent normal = scores.get(0);
    assertThat(normal.getLogLikelihood()).isEqualTo(-40.0);
    assertThat(normal.getScore()).isEqualTo(40.0);
    assertThat(normal.getPValue()).isEqualTo(CALIBRATION.pValue(-40.0));
    assertThat(normal.getThreshold()).isEqualTo(CALIBRATION.threshold());
    assertThat(normal.getIsAnomaly()).isFalse();
    assertThat(normal.getModelVersion()).isEqualTo("v7");
    assertThat(normal.getSolverResidual()).isEqualTo(1e-13);
    assertThat(normal.getTimestamp().toEpochMilli()).isEqualTo(1010);
    assertThat(normal.getSource().getOffset()).isEqualTo(10);
    assertThat(scores.get(1).getIsAnomaly()).isTrue();

    assertThat(alerts).hasSize(1);
    Alert alert = alerts.get(0);
    assertThat(alert.getEvent()).isEqualTo(scores.get(1));
    assertThat(alert.getFeatureNames()).containsExactly("a", "b");
    assertThat(alert.getFeatures()).containsExactly(9.0, -9.0);
    assertThat(alert.getAttribution()).containsExactly(20.0, 4.0);
    // One model call with the alert's raw features.
    assertThat(attributionCalls).hasSize(1);
    assertThat(attributionCalls.get(0)).isDeepEqualTo(new double[][] {{9, -9}});

    assertThat(deadLetters).extracting(DeadLetter::getReason)
        .containsExactly(DeadLetterReason.SOLVER_NOT_CONVERGED, DeadLetterReason.NON_FINITE_VALUE);
    assertThat(deadLetters.get(0).getMessage()).contains("'stuck'", "NOT_CONVERGED", "after 200 iterations");
    assertThat(deadLetters.get(0).getSource().getOffset()).isEqualTo(12);
  }

  @Test
  void anOverrideThresholdDecidesAndUncalibratedModelsHaveNaNPValues() {
    ScoredBatchRouter router = new ScoredBatchRouter("v7", FEATURES, -30.0, null);
    router.route(batch, modelScores, attribution, outputs);
    assertThat(scores).extracting(ScoredEvent::getIsAnomaly).containsExactly(true, true);
    assertThat(scores.get(0).getPValue()).isNaN();
    assertThat(alerts).hasSize(2);
    // Both alerts in one call, in batch order, each alert with its own row's attribution.
    assertThat(attributionCalls).hasSize(1);
    assertThat(attributionCalls.get(0)).isDeepEqualTo(new double[][] {{0.1, 0.2}, {9, -9}});
    assertThat(alerts.get(0).getAttribution().get(0)).isEqualTo(20.0);
    assertThat(alerts.get(0).getAttribution().get(1)).isCloseTo(-4.9, within(1e-12));
    assertThat(alerts.get(1).getAttribution()).containsExactly(20.0, 4.0);
  }

  @Test
  void aBatchWithoutAlertsCostsNoAttributionCall() {
    ScoredBatchRouter router = new ScoredBatchRouter("v7", FEATURES, -1000.0, CALIBRATION);
    router.route(batch, modelScores, attribution, outputs);
    assertThat(scores).hasSize(2);
    assertThat(alerts).isEmpty();
    assertThat(attributionCalls).isEmpty();
  }

  @Test
  void anAlertWhoseProbesDoNotConvergeKeepsItsScoreWithAnEmptyAttribution() {
    List<FeatureRecord> farOut = List.of(record("far", 20, 60, 1), record("near", 21, 5, 1));
    BatchScores scored = new BatchScores(new double[] {-500, -400}, new double[] {1e-12, 1e-12}, new int[] {30, 20},
        new RowStatus[] {RowStatus.SCORED, RowStatus.SCORED});
    new ScoredBatchRouter("v7", FEATURES, -30.0, null).route(farOut, scored, attribution, outputs);
    assertThat(scores).extracting(ScoredEvent::getId).containsExactly("far", "near");
    assertThat(alerts).extracting(a -> a.getEvent().getId()).containsExactly("far", "near");
    assertThat(alerts.get(0).getAttribution()).isEmpty();
    assertThat(alerts.get(1).getAttribution()).containsExactly(20.0, 0.0);
    assertThat(attributionCalls).hasSize(1);
    assertThat(attributionCalls.get(0)).hasNumberOfRows(2);
  }

  @Test
  void aRowDepartingFromAConstantFeatureScoresMinusInfinityAndAlwaysAlertsWithTheFeatureNamed() {
    // "b" was constant in training; "moved" and "far" depart from it, "far" so far out that the model cannot explain
    // the rest of the row.
    List<FeatureRecord> rows = List.of(record("normal", 30, 0.1, 0.2), record("moved", 31, 1, 7),
        record("far", 32, 60, 7));
    BatchScores scored = new BatchScores(
        new double[] {-40, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY}, new double[] {1e-13, 1e-13, 1e-12},
        new int[] {6, 6, 30}, new RowStatus[] {RowStatus.SCORED, RowStatus.SCORED, RowStatus.SCORED},
        new int[] {-1, 1, 1});
    // Even an override threshold far below every finite score alerts on them.
    new ScoredBatchRouter("v7", FEATURES, -1e300, CALIBRATION).route(rows, scored, attribution, outputs);

    assertThat(deadLetters).isEmpty();
    assertThat(scores).extracting(ScoredEvent::getId).containsExactly("normal", "moved", "far");
    assertThat(scores.get(0).getIsAnomaly()).isFalse();
    ScoredEvent moved = scores.get(1);
    assertThat(moved.getLogLikelihood()).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(moved.getScore()).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(moved.getIsAnomaly()).isTrue();
    // The calibration's smallest tail probability, 1 / (100 + 1), not NaN.
    assertThat(moved.getPValue()).isEqualTo(1.0 / 101);
    assertThat(alerts).extracting(a -> a.getEvent().getId()).containsExactly("moved", "far");
    // The model's own attribution where it has one (the stand-in's here; DensityModel puts −∞ at the feature) ...
    assertThat(alerts.get(0).getAttribution()).containsExactly(20.0, -4.0);
    // ... and where it has none, the departed feature still is −∞ and the rest unknown.
    assertThat(alerts.get(1).getFeatureNames()).containsExactly("a", "b");
    assertThat(alerts.get(1).getAttribution()).containsExactly(Double.NaN, Double.NEGATIVE_INFINITY);
    assertThat(attributionCalls).hasSize(1);
    assertThat(attributionCalls.get(0)).isDeepEqualTo(new double[][] {{1, 7}, {60, 7}});
  }
}
