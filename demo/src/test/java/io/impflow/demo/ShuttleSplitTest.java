package io.impflow.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.impflow.trainer.data.Dataset;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShuttleSplitTest {
  private static Dataset labelled(int rows, int anomalies) {
    double[][] values = new double[rows][];
    int[] labels = new int[rows];
    for (int i = 0; i < rows; i++) {
      values[i] = new double[] {i};
      labels[i] = i % (rows / anomalies) == 0 ? 1 : 0;
    }
    return new Dataset(List.of("x"), values, labels, "rows");
  }

  @Test
  void aStratifiedSampleKeepsTheShareOfAnomalies() {
    Dataset data = labelled(1000, 200);

    Dataset sample = ShuttleSplit.stratifiedSample(data, 100, 1L);

    assertThat(sample.size()).isEqualTo(100);
    assertThat(sample.anomalyCount()).isEqualTo(20);
    assertThat(Arrays.stream(sample.rows()).mapToDouble(r -> r[0]).distinct().count()).isEqualTo(100);
  }

  @Test
  void aTinySampleStillHoldsBothClasses() {
    Dataset sample = ShuttleSplit.stratifiedSample(labelled(1000, 10), 5, 1L);

    assertThat(sample.anomalyCount()).isEqualTo(1);
    assertThat(sample.size()).isEqualTo(5);
  }

  @Test
  void zeroOrTooManyRowsMeanEveryRow() {
    Dataset data = labelled(50, 5);

    assertThat(ShuttleSplit.stratifiedSample(data, 0, 1L)).isSameAs(data);
    assertThat(ShuttleSplit.stratifiedSample(data, 80, 1L)).isSameAs(data);
  }
}
