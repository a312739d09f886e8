package io.impflow.model.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ScoreAgreementTest {

  @Test
  void aTailRowAgreesWithinOneUlpWhereAnAbsoluteBoundWouldFailIt() {
    // The pair docker/test.sh once failed on: |difference| 7.3e-12 at |log p| 27,828, i.e. two ulps.
    double streamed = -27828.093276654912;
    double offline = -27828.093276654905;
    assertThat(Math.abs(streamed - offline)).isGreaterThan(ScoreAgreement.DEFAULT_TOLERANCE);
    assertThat(ScoreAgreement.relativeDifference(streamed, offline)).isLessThan(3e-16);
    assertThat(ScoreAgreement.agrees(streamed, offline, ScoreAgreement.DEFAULT_TOLERANCE)).isTrue();
  }

  @Test
  void nearZeroTheBoundIsAbsolute() {
    assertThat(ScoreAgreement.relativeDifference(0.25 + 2e-12, 0.25)).isGreaterThan(1.9e-12).isLessThan(2.1e-12);
    assertThat(ScoreAgreement.agrees(0.25 + 2e-12, 0.25, ScoreAgreement.DEFAULT_TOLERANCE)).isFalse();
    assertThat(ScoreAgreement.agrees(-3000 - 2e-9, -3000, ScoreAgreement.DEFAULT_TOLERANCE)).isTrue();
    assertThat(ScoreAgreement.agrees(-3000 - 4e-9, -3000, ScoreAgreement.DEFAULT_TOLERANCE)).isFalse();
  }

  @Test
  void brokenScoresNeverAgree() {
    assertThat(ScoreAgreement.agrees(Double.NaN, -5, 1)).isFalse();
    assertThat(ScoreAgreement.agrees(-5, Double.NaN, 1)).isFalse();
    assertThat(ScoreAgreement.agrees(Double.NEGATIVE_INFINITY, -5, 1)).isFalse();
    assertThat(ScoreAgreement.agrees(Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, 1)).isFalse();
    assertThat(ScoreAgreement.relativeDifference(Double.NaN, 0)).isEqualTo(Double.POSITIVE_INFINITY);
  }
}
