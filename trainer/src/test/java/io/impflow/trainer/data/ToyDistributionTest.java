package io.impflow.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ToyDistributionTest {

  @ParameterizedTest
  @EnumSource(ToyDistribution.class)
  void sameSeedSameSampleDifferentSeedDifferentSample(ToyDistribution toy) {
    double[][] a = toy.sample(500, 7);
    assertThat(toy.sample(500, 7)).isDeepEqualTo(a);
    assertThat(Arrays.deepEquals(toy.sample(500, 8), a)).isFalse();
    assertThat(Arrays.stream(a).flatMapToDouble(Arrays::stream).allMatch(Double::isFinite)).isTrue();
    assertThat(ToyDistribution.byCliName(toy.cliName())).isEqualTo(toy);
  }

  @Test
  void checkerboardPointsLieOnTheDarkSquaresOfTheBoard() {
    double[][] points = ToyDistribution.CHECKERBOARD.sample(5000, 1);
    int[] perSquare = new int[16];
    for (double[] p : points) {
      assertThat(p[0]).isBetween(-4.0, 4.0);
      assertThat(p[1]).isBetween(-4.0, 4.0);
      int col = (int) Math.floor(p[0] / 2);
      int row = (int) Math.floor(p[1] / 2);
      assertThat(Math.floorMod(col + row, 2)).isZero();
      perSquare[(col + 2) * 4 + row + 2]++;
    }
    assertThat(Arrays.stream(perSquare).filter(c -> c > 500).count()).isEqualTo(8);
  }

  @Test
  void eightGaussiansClusterAroundEightCentres() {
    double[][] points = ToyDistribution.EIGHT_GAUSSIANS.sample(4000, 3);
    double meanRadius = Arrays.stream(points).mapToDouble(p -> Math.hypot(p[0], p[1])).average().orElseThrow();
    assertThat(meanRadius).isBetween(2.6, 3.0);
  }

  @Test
  void toySpecNamesTheKnownDistributions() throws Exception {
    DataReadOptions options = DataReadOptions.defaults();
    Dataset data = DataSource.parse("toy:2spirals", options).read();
    assertThat(data.size()).isEqualTo(options.toyRows());
    assertThat(data.featureNames()).containsExactly("x0", "x1");
    assertThatThrownBy(() -> DataSource.parse("toy:swissroll", options))
        .isInstanceOf(DataSourceException.class)
        .hasMessageContaining("checkerboard");
  }
}
