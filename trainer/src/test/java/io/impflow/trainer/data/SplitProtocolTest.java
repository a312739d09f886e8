package io.impflow.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SplitProtocolTest {

  /** 1,000 rows whose single feature is the row index, every 10th row an anomaly. */
  private static Dataset labelled() {
    double[][] rows = new double[1000][];
    int[] labels = new int[1000];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = new double[] {i};
      labels[i] = i % 10 == 0 ? 1 : 0;
    }
    return new Dataset(List.of("index"), rows, labels, "synthetic");
  }

  private static Set<Double> ids(Dataset data) {
    Set<Double> ids = new HashSet<>();
    for (double[] row : data.rows()) {
      ids.add(row[0]);
    }
    return ids;
  }

  @Test
  void cleanTrainsOnSeventyPercentOfNormalRowsAndTestsOnTheRestPlusAllAnomalies() throws Exception {
    SplitProtocol.Split split = SplitProtocol.CLEAN.split(labelled(), 1);
    assertThat(split.train().size()).isEqualTo(630);
    assertThat(split.train().anomalyCount()).isZero();
    assertThat(split.test().size()).isEqualTo(370);
    assertThat(split.test().anomalyCount()).isEqualTo(100);
    Set<Double> train = ids(split.train());
    Set<Double> test = ids(split.test());
    assertThat(train).doesNotContainAnyElementsOf(test);
    assertThat(train.size() + test.size()).isEqualTo(1000);
  }

  @Test
  void contaminatedIsAStratifiedSplitOfAllRows() throws Exception {
    SplitProtocol.Split split = SplitProtocol.CONTAMINATED.split(labelled(), 1);
    assertThat(split.train().size()).isEqualTo(630 + 70);
    assertThat(split.train().anomalyCount()).isEqualTo(70);
    assertThat(split.test().anomalyCount()).isEqualTo(30);
    assertThat(ids(split.train())).doesNotContainAnyElementsOf(ids(split.test()));
  }

  @Test
  void theSplitIsDeterministicInTheSeedAndKeepsFileOrder() throws Exception {
    Dataset data = labelled();
    double[][] first = SplitProtocol.CLEAN.split(data, 5).train().rows();
    assertThat(SplitProtocol.CLEAN.split(data, 5).train().rows()).isDeepEqualTo(first);
    assertThat(Arrays.deepEquals(SplitProtocol.CLEAN.split(data, 6).train().rows(), first)).isFalse();
    for (int i = 1; i < first.length; i++) {
      assertThat(first[i][0]).isGreaterThan(first[i - 1][0]);
    }
  }

  @Test
  void unlabelledDataCannotBeSplit() {
    Dataset unlabelled = labelled().withoutLabels();
    assertThatThrownBy(() -> SplitProtocol.CLEAN.split(unlabelled, 1))
        .isInstanceOf(DataSourceException.class)
        .hasMessageContaining("no label column");
  }
}
