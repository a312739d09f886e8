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
        new FlowBudget(1, 1, 1, maxRows));
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
    assertThat(method(30).describe()).isEqualTo("2 blocks, g = d-16-d, sin, c = 0.97");
    assertThat(method(30).spec(9).blocks()).isEqualTo(2);
  }

  @Test
  void budgetTurnsStepsIntoEpochs() {
    FlowBudget budget = new FlowBudget(300, 80, 8, 3000);
    assertThat(budget.batchSize(279)).isEqualTo(FlowBudget.SMALL_DATA_BATCH);
    assertThat(budget.epochs(279)).isEqualTo(60);      // 5 batches of 64 per epoch
    assertThat(budget.batchSize(2700)).isEqualTo(FlowBudget.BATCH);
    assertThat(budget.epochs(2700)).isEqualTo(28);     // 11 batches of 256 per epoch
    assertThat(budget.epochs(20)).isEqualTo(80);       // capped
    assertThat(Arrays.asList(budget.epochs(1_000_000))).containsExactly(1);
  }
}
