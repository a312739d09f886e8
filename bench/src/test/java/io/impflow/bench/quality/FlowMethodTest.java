package io.impflow.bench.quality;

import static org.assertj.core.api.Assertions.assertThat;

import io.impflow.model.flow.ActivationKind;
import io.impflow.model.flow.Architecture;
import io.impflow.trainer.data.Dataset;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FlowMethodTest {

  private static FlowMethod method(int maxRows) {
    return new FlowMethod("ImpFlow", Architecture.IMPFLOW, 2, 16, 1, ActivationKind.SIN, 0.97,
        new FlowBudget(1, 1, maxRows));
  }

  @Test
  void subsamplesLargeTrainingPartsReproduciblyAndInFileOrder() {
    Dataset train = SuiteRunnerTest.labelled().withoutLabels();
    Dataset small = method(30).subsample(train, 4);
    int[] ids = SuiteRunnerTest.ids(small);
    assertThat(ids).hasSize(30).isSorted().doesNotHaveDuplicates();
    assertThat(SuiteRunnerTest.ids(method(30).subsample(train, 4))).isEqualTo(ids);
    assertThat(SuiteRunnerTest.ids(method(30).subsample(train, 5))).isNotEqualTo(ids);
    assertThat(method(100).subsample(train, 4)).isSameAs(train);
  }

  @Test
  void describesTheArchitecture() {
    assertThat(method(30).describe(9)).isEqualTo("2 blocks, g = 9-16-9, sin, c = 0.97");
    assertThat(method(30).spec(9).blocks()).isEqualTo(2);
    assertThat(Arrays.asList(FlowBudget.BATCH, new FlowBudget(1, 1, 20).batchSize(100)))
        .containsExactly(256, FlowBudget.SMALL_DATA_BATCH);
  }
}
