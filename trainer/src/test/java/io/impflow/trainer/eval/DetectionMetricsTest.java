package io.impflow.trainer.eval;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DetectionMetricsTest {

  @Test
  void precisionRecallAndNllFromFlagsAndLabels() {
    double[] ll = {-1, -2, -10, -12, Double.NaN};
    boolean[] flags = {false, true, true, false, true};
    int[] labels = {0, 0, 1, 1, 1};
    DetectionMetrics m = DetectionMetrics.of(ll, flags, labels, 5.0);
    assertThat(m.rows()).isEqualTo(5);
    assertThat(m.unscored()).isEqualTo(1);
    assertThat(m.constantDepartures()).isZero();
    assertThat(m.nll()).isEqualTo((1 + 2 + 10 + 12) / 4.0);
    assertThat(m.nllNormal()).isEqualTo(1.5);
    assertThat(m.flagged()).isEqualTo(3);
    assertThat(m.precision()).isEqualTo(2.0 / 3);
    assertThat(m.recall()).isEqualTo(2.0 / 3);
    assertThat(m.falsePositiveRate()).isEqualTo(0.5);
    assertThat(m.auroc()).isEqualTo(1.0);
    assertThat(m.threshold()).isEqualTo(5.0);
  }

  @Test
  void rowsDepartingFromAConstantFeatureAreCountedFlaggedAndKeptOutOfTheNll() {
    double[] ll = {-1, -3, Double.NEGATIVE_INFINITY, -2, Double.NEGATIVE_INFINITY};
    boolean[] flags = {false, false, true, false, true};
    int[] labels = {0, 0, 1, 1, 0};
    DetectionMetrics m = DetectionMetrics.of(ll, flags, labels, 2.5);
    assertThat(m.constantDepartures()).isEqualTo(2);
    assertThat(m.unscored()).isZero();
    assertThat(m.nll()).isEqualTo(2.0);
    assertThat(m.nllNormal()).isEqualTo(2.0);
    // +∞ scores rank above every finite one and tie with each other: of the 6 (anomaly, normal) pairs, 3 are ordered
    // right and the pair of the two +∞ rows counts one half.
    assertThat(m.auroc()).isEqualTo((3 + 0.5) / 6);
    assertThat(m.recall()).isEqualTo(0.5);
    assertThat(m.flagged()).isEqualTo(2);

    DetectionMetrics unlabelled = DetectionMetrics.of(ll, flags, null, 2.5);
    assertThat(unlabelled.constantDepartures()).isEqualTo(2);
    assertThat(unlabelled.nll()).isEqualTo(2.0);
  }

  @Test
  void withoutLabelsOnlyTheUnlabelledFieldsAreSet() {
    DetectionMetrics m = DetectionMetrics.of(new double[] {-1, -3}, new boolean[] {false, true}, null, 2.5);
    assertThat(m.nll()).isEqualTo(2.0);
    assertThat(m.auroc()).isNull();
    assertThat(m.precision()).isNull();
    assertThat(m.anomalies()).isNull();
  }
}
