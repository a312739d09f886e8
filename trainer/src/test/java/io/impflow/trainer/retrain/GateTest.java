package io.impflow.trainer.retrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.impflow.model.scoring.RowStatus;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The gate's arithmetic on hand-made scores, each number checked by hand. */
class GateTest {
  private static final GateSettings SETTINGS = new GateSettings(1.0, 2.0, 3);

  private static Gate.Scores scores(double threshold, double... ll) {
    RowStatus[] status = new RowStatus[ll.length];
    Arrays.fill(status, RowStatus.SCORED);
    return new Gate.Scores(ll, status, threshold);
  }

  private static Gate.Check check(Gate.Result result, String name) {
    return result.checks().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void meanLogLikelihoodIsTakenOverTheRowsBothModelsCallNormal() {
    // serving threshold -5: rows 0..3 normal, row 4 flagged; candidate threshold -6: rows 0,1,2,4 normal, row 3 not
    Gate.Scores serving = scores(-5, -1, -2, -3, -4, -9);
    Gate.Scores candidate = scores(-6, -1.5, -2.5, -3.5, -7, -2);
    Gate.Result result = Gate.evaluate(serving, candidate, 0.01, true, 0.5, SETTINGS);

    assertThat(result.commonNormalRows()).isEqualTo(3);
    assertThat(result.servingMeanLogLikelihood()).isCloseTo(-2.0, within(1e-15));
    assertThat(result.candidateMeanLogLikelihood()).isCloseTo(-2.5, within(1e-15));
    assertThat(check(result, "log-likelihood").passed()).isTrue();
    assertThat(result.servingAlertRate()).isCloseTo(0.2, within(1e-15));
    assertThat(result.candidateAlertRate()).isCloseTo(0.2, within(1e-15));
  }

  @Test
  void aCandidateWorseByMoreThanTheToleranceIsRefusedWithTheNumbers() {
    Gate.Scores serving = scores(-5, -1, -2, -3, -4);
    Gate.Scores candidate = scores(-10, -2.1, -3.1, -4.1, -5.1);
    Gate.Result result = Gate.evaluate(serving, candidate, 0.01, true, 0.5, SETTINGS);

    assertThat(result.servingMeanLogLikelihood()).isCloseTo(-2.5, within(1e-15));
    assertThat(result.candidateMeanLogLikelihood()).isCloseTo(-3.6, within(1e-12));
    assertThat(result.passed()).isFalse();
    assertThat(result.reason()).startsWith("log-likelihood:").contains("candidate -3.6000, serving -2.5000")
        .contains("worse");
    // exactly at the tolerance passes
    Gate.Scores edge = scores(-10, -2, -3, -4, -5);
    assertThat(Gate.evaluate(serving, edge, 0.01, true, 0.5, SETTINGS).passed()).isTrue();
  }

  @Test
  void tooFewCommonRowsSkipTheComparisonAndSaySo() {
    Gate.Scores serving = scores(-5, -1, -2, -9, -9);
    Gate.Scores candidate = scores(-5, -100, -2, -3, -4);
    Gate.Result result = Gate.evaluate(serving, candidate, 0.5, true, 0.5, SETTINGS);
    assertThat(result.commonNormalRows()).isEqualTo(1);
    Gate.Check ll = check(result, "log-likelihood");
    assertThat(ll.passed()).isTrue();
    assertThat(ll.detail()).contains("only 1 rows").contains("not compared");
  }

  @Test
  void alertRateLimitIsFactorTimesTargetPlusThreeSigmaOrTheServingRate() {
    // 100 rows, target 0.01: sigma = sqrt(0.01 * 0.99 / 100) = 0.00994987...; limit = 0.02 + 3 sigma = 0.0498496
    double[] ll = new double[100];
    Arrays.fill(ll, -1);
    double[] candidateLl = ll.clone();
    for (int i = 0; i < 5; i++) {
      candidateLl[i] = -50; // 5 % flagged: within the limit
    }
    Gate.Result five = Gate.evaluate(scores(-10, ll), scores(-10, candidateLl), 0.01, true, 0.5, SETTINGS);
    double sigma = Math.sqrt(0.01 * 0.99 / 100);
    assertThat(five.alertRateLimit()).isCloseTo(0.02 + 3 * sigma, within(1e-15));
    assertThat(five.candidateAlertRate()).isEqualTo(0.05);
    assertThat(five.alertRateLimit()).isLessThan(0.05);
    assertThat(five.passed()).isFalse();
    assertThat(five.reason()).startsWith("alert-rate:").contains("too often");

    // the same candidate passes when the serving model flags as many rows on the same data
    double[] servingLl = ll.clone();
    for (int i = 50; i < 56; i++) {
      servingLl[i] = -50;
    }
    Gate.Result withServing = Gate.evaluate(scores(-10, servingLl), scores(-10, candidateLl), 0.01, true, 0.5,
        SETTINGS);
    assertThat(withServing.servingAlertRate()).isEqualTo(0.06);
    assertThat(withServing.alertRateLimit()).isCloseTo(0.06 + 3 * sigma, within(1e-15));
    assertThat(withServing.passed()).isTrue();
  }

  @Test
  void solverFeaturesAndLipschitzChecksRefuseWithTheirReason() {
    Gate.Scores serving = scores(-5, -1, -2, -3);
    RowStatus[] status = {RowStatus.SCORED, RowStatus.NOT_CONVERGED, RowStatus.SCORED};
    Gate.Scores unconverged = new Gate.Scores(new double[] {-1, Double.NaN, -3}, status, -5);
    Gate.Result solver = Gate.evaluate(serving, unconverged, 0.01, true, 0.5, SETTINGS);
    assertThat(solver.candidateNotConverged()).isEqualTo(1);
    assertThat(solver.reason()).isEqualTo("solver: 1 of 3 rows did not converge under the candidate");

    Gate.Scores fine = scores(-5, -1, -2, -3);
    assertThat(Gate.evaluate(serving, fine, 0.01, false, 0.5, SETTINGS).reason()).startsWith("features:");
    assertThat(Gate.evaluate(serving, fine, 0.01, true, 1.0, SETTINGS).reason()).startsWith("lipschitz:")
        .contains("1.000000");
    assertThat(Gate.evaluate(serving, fine, 0.01, true, 0.999, SETTINGS).passed()).isTrue();
  }
}
