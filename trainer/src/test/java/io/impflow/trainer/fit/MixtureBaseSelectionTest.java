package io.impflow.trainer.fit;

import static org.assertj.core.api.Assertions.assertThat;

import io.impflow.model.flow.GaussianMixture;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The base density is a mixture when the rows form clusters and the standard normal when they do not. */
class MixtureBaseSelectionTest {

  /** n 2-D rows: three tight clusters when {@code clustered}, else a standard normal. */
  private static double[][] rows(int n, boolean clustered, long seed) {
    Random random = new Random(seed);
    double[][] centers = {{-1.5, -0.5}, {1.5, -0.5}, {0, 1.2}};
    double[][] out = new double[n][];
    for (int i = 0; i < n; i++) {
      double[] c = clustered ? centers[i % 3] : new double[2];
      double s = clustered ? 0.15 : 1;
      out[i] = new double[] {c[0] + s * random.nextGaussian(), c[1] + s * random.nextGaussian()};
    }
    return out;
  }

  private static double meanLogDensity(GaussianMixture m, double[][] rows) {
    return Arrays.stream(m.logDensity(rows)).average().orElseThrow();
  }

  @Test
  void clusteredRowsGetAMixtureThatBeatsTheStandardNormalOnHeldOutRows() {
    double[][] train = rows(1500, true, 1);
    double[][] validation = rows(300, true, 2);
    double[][] test = rows(1000, true, 3);
    GaussianMixture chosen = MixtureBaseSelection.select(train, validation, 8, 7, 0);
    assertThat(chosen.components()).isBetween(3, 8);
    GaussianMixture normal = GaussianMixture.standardNormal(2);
    assertThat(meanLogDensity(chosen, test)).isGreaterThan(meanLogDensity(normal, test) + 0.5);
  }

  @Test
  void gaussianRowsKeepTheStandardNormal() {
    GaussianMixture chosen = MixtureBaseSelection.select(rows(1500, false, 4), rows(300, false, 5), 8, 7, 0);
    assertThat(chosen.isStandardNormal()).isTrue();
  }

  @Test
  void emIsDeterministicInTheSeedAndRespectsTheCovarianceFloor() {
    double[][] train = rows(900, true, 6);
    GaussianMixture a = MixtureBaseSelection.fit(train, 3, 11, 0);
    GaussianMixture b = MixtureBaseSelection.fit(train, 3, 11, 0);
    assertThat(a).isEqualTo(b);
    for (double[][] l : a.choleskyFactors()) {
      double variance0 = l[0][0] * l[0][0];
      assertThat(variance0).isGreaterThanOrEqualTo(MixtureBaseSelection.COVARIANCE_FLOOR);
    }
    assertThat(Arrays.stream(a.weights()).sum()).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-12));
  }

  @Test
  void oneStandardErrorRuleKeepsTheSimplerModelUnlessTheGainIsClear() {
    double[] simpler = {1, 2, 3, 4, 5, 6};
    assertThat(MixtureBaseSelection.withinOneStandardError(new double[] {1.1, 1.9, 3.2, 3.9, 5.1, 5.9}, simpler))
        .isTrue();
    assertThat(MixtureBaseSelection.withinOneStandardError(new double[] {2, 3, 4, 5, 6, 7.1}, simpler)).isFalse();
  }

  @Test
  void fewRowsPerParameterStopTheSearchAtOneComponent() {
    GaussianMixture chosen = MixtureBaseSelection.select(rows(5, true, 8), rows(5, true, 9), 8, 7, 0);
    assertThat(chosen.components()).isEqualTo(1);
  }

  @Test
  void trimmedEmGivesScatteredAnomaliesNoComponent() {
    // three tight normal clusters and 8 % anomalies scattered over a wide box
    double[][] normal = rows(1380, true, 12);
    Random random = new Random(13);
    double[][] train = Arrays.copyOf(normal, 1500);
    for (int i = 1380; i < 1500; i++) {
      train[i] = new double[] {-8 + 16 * random.nextDouble(), -8 + 16 * random.nextDouble()};
    }
    double[][] far = {{6, -6}, {-6, 6}, {6, 6}};
    GaussianMixture plain = MixtureBaseSelection.fit(train, 4, 11, 0);
    GaussianMixture trimmed = MixtureBaseSelection.fit(train, 4, 11, 0.1);
    // plain EM spends a broad component on the scatter; trimmed EM leaves it out and keeps the far area unlikely
    for (int i = 0; i < far.length; i++) {
      assertThat(trimmed.logDensity(far)[i]).isLessThan(plain.logDensity(far)[i] - 5);
    }
    double[][] test = rows(600, true, 14);
    assertThat(meanLogDensity(trimmed, test)).isGreaterThan(meanLogDensity(plain, test));
  }
}
