package io.impflow.trainer.fit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.impflow.model.flow.InputTransform;
import io.impflow.model.flow.WhiteningMethod;
import io.impflow.trainer.data.ToyDistribution;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code --contamination auto}: 0 on rows the robust start Gaussian explains (so the fit stays maximum likelihood
 * there), the share of far rows when a window is contaminated, and never above the cap.
 */
class ContaminationEstimateTest {

  private static double estimate(double[][] rows) {
    List<String> names = java.util.stream.IntStream.range(0, rows[0].length).mapToObj(j -> "x" + j).toList();
    InputTransform transform = InputTransform.fit(rows, names, 1, WhiteningMethod.ROBUST, 3);
    double[][] s = new double[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      s[i] = transform.standardize(rows[i]);
    }
    return ContaminationEstimate.of(s, 3);
  }

  private static double[][] gaussian(int n, int d, Random random) {
    double[][] rows = new double[n][d];
    for (double[] row : rows) {
      double common = random.nextGaussian();
      for (int j = 0; j < d; j++) {
        row[j] = 3 * j + 0.7 * common + random.nextGaussian();
      }
    }
    return rows;
  }

  @Test
  void gaussianRowsGiveZero() {
    assertThat(estimate(gaussian(5000, 5, new Random(1)))).isZero();
  }

  @ParameterizedTest
  @EnumSource(value = ToyDistribution.class, names = {"RINGS", "PINWHEEL"})
  void lightTailedToyDataGivesZeroSoTheDefaultFitIsPlainMaximumLikelihood(ToyDistribution toy) {
    assertThat(estimate(toy.sample(9000, 1))).isZero();
  }

  @Test
  void fivePercentFarRowsAreEstimatedAndMoreAreCapped() {
    Random random = new Random(2);
    double[][] rows = gaussian(4000, 5, random);
    for (int i = 0; i < rows.length; i += 20) {
      for (int j = 0; j < 5; j++) {
        rows[i][j] += 8 * (random.nextBoolean() ? 1 : -1);
      }
    }
    assertThat(estimate(rows)).isCloseTo(0.05, within(0.015));
    for (int i = 1; i < rows.length; i += 5) {
      rows[i][0] += 12;
    }
    assertThat(estimate(rows)).isEqualTo(ContaminationEstimate.MAX);
  }
}
