package io.impflow.bench.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FlowBudgetTest {

  @Test
  void largeSetsGetTheStepFactorAndSmallSetsTheBaseSteps() {
    FlowBudget budget = new FlowBudget(100, 80, 8, 3000, 4);
    assertThat(budget.steps(FlowBudget.SMALL_DATA_ROWS - 1)).isEqualTo(100);
    assertThat(budget.steps(FlowBudget.SMALL_DATA_ROWS)).isEqualTo(400);
    assertThat(budget.epochs(315)).isEqualTo(20);     // pima clean: 5 batches of 64, 100 steps
    assertThat(budget.epochs(2700)).isEqualTo(37);    // satellite: 11 batches of 256, 400 steps
    assertThat(budget.epochs(1999)).isEqualTo(4);     // 32 batches of 64, 100 steps
    assertThat(budget.epochs(2000)).isEqualTo(50);    // 8 batches of 256, 400 steps
  }

  @Test
  void epochCapAppliesToTheScaledSteps() {
    FlowBudget budget = new FlowBudget(100, 30, 8, 3000, 4);
    assertThat(budget.epochs(2700)).isEqualTo(30);
    assertThat(budget.epochs(315)).isEqualTo(20);
  }

  @Test
  void fourArgumentBudgetIsTheSameForEverySize() {
    FlowBudget budget = new FlowBudget(150, 80, 8, 3000);
    assertThat(budget.largeDataStepFactor()).isEqualTo(1);
    assertThat(budget.steps(300)).isEqualTo(budget.steps(30_000)).isEqualTo(150);
  }

  @Test
  void rejectsAFactorBelowOneNamingTheFlag() {
    assertThatThrownBy(() -> new FlowBudget(100, 80, 8, 3000, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--flow-large-data-step-factor");
  }

  @Test
  void suiteDefaultsGiveLargeSetsFourTimesTheStepsAndTheFlagOverridesIt() {
    FlowBudget defaults = QualitySuite.Options.parse(new String[] {"run"}).budget();
    assertThat(defaults.largeDataStepFactor()).isEqualTo(QualitySuite.LARGE_DATA_STEP_FACTOR).isEqualTo(4);
    assertThat(defaults.steps(315)).isEqualTo(100);
    assertThat(defaults.steps(2700)).isEqualTo(400);

    FlowBudget flat = QualitySuite.Options.parse(new String[] {"run", "--flow-steps", "20",
        "--flow-large-data-step-factor", "1"}).budget();
    assertThat(flat.steps(315)).isEqualTo(flat.steps(2700)).isEqualTo(20);
  }
}
