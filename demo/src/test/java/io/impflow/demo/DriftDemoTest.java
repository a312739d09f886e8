package io.impflow.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DriftDemoTest {
  private static final List<String> SHUTTLE =
      List.of("x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8");

  @Test
  void theShiftAddsTheDocumentedOffsetsAndLeavesTheRowAlone() {
    double[] row = {50, 0, 80, 0, 40, 10, 30, 40, 10};
    double[] shifted = DriftDemo.shift(row);
    assertThat(shifted).containsExactly(56, 0, 88, 0, 40, 10, 40, 40, 10);
    assertThat(row).containsExactly(50, 0, 80, 0, 40, 10, 30, 40, 10);
    assertThat(DriftDemo.shiftText(SHUTTLE)).isEqualTo("x0 + 6, x2 + 8, x6 + 10");
  }

  @Test
  void ratesAreAlertsPerRowAndNaNWithoutRows() {
    assertThat(new DriftSummary.Rates(400, 6, -20.0).alertRate()).isEqualTo(0.015);
    assertThat(new DriftSummary.Rates(0, 0, Double.NaN).alertRate()).isNaN();
  }
}
