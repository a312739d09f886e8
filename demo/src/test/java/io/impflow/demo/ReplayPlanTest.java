package io.impflow.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.impflow.schemas.avro.DeadLetterReason;
import io.impflow.trainer.data.Dataset;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReplayPlanTest {
  private static Dataset labelled(int rows, int anomalies) {
    double[][] values = new double[rows][];
    int[] labels = new int[rows];
    for (int i = 0; i < rows; i++) {
      values[i] = new double[] {i, -i};
      labels[i] = i < anomalies ? 1 : 0;
    }
    return new Dataset(List.of("a", "b"), values, labels, "test rows");
  }

  @Test
  void everyRowAppearsOnceWithItsLabelAndTheMalformedRecordsAreAdded() {
    Dataset test = labelled(50, 7);
    ReplayPlan plan = ReplayPlan.of(test, "run1", 2, 3L);

    assertThat(plan.size()).isEqualTo(50 + 2 * MalformedKind.values().length);
    assertThat(plan.rows()).isEqualTo(50);
    assertThat(plan.entries().stream().filter(e -> e.label() == 1).count()).isEqualTo(7);
    Set<Double> firstValues = new HashSet<>();
    Set<String> ids = new HashSet<>();
    for (ReplayPlan.Entry entry : plan.entries()) {
      assertThat(ids.add(entry.id())).as("ids are unique").isTrue();
      assertThat(entry.id()).startsWith("run1-");
      if (entry.malformed() == null) {
        firstValues.add(entry.row()[0]);
        assertThat(plan.label(entry.id())).isEqualTo(entry.row()[0] < 7 ? 1 : 0);
      } else {
        assertThat(plan.malformedKind(entry.id())).isEqualTo(entry.malformed());
        assertThat(plan.label(entry.id())).isNull();
      }
    }
    assertThat(firstValues).hasSize(50);
  }

  @Test
  void theOrderIsShuffledAndFixedBySeed() {
    Dataset test = labelled(200, 20);
    List<String> first = ids(ReplayPlan.of(test, "r", 1, 5L));
    List<String> again = ids(ReplayPlan.of(test, "r", 1, 5L));
    List<String> other = ids(ReplayPlan.of(test, "r", 1, 6L));

    assertThat(again).isEqualTo(first);
    assertThat(other).isNotEqualTo(first);
    List<Double> order = ReplayPlan.of(test, "r", 0, 5L).entries().stream().map(e -> e.row()[0]).toList();
    assertThat(order).isNotEqualTo(order.stream().sorted().toList());
  }

  @Test
  void expectedDeadLettersCountEachInjectedKindUnderItsReason() {
    ReplayPlan plan = ReplayPlan.of(labelled(30, 3), "r", 3, 1L);

    assertThat(plan.expectedDeadLetters()).isEqualTo(Map.of(
        DeadLetterReason.MALFORMED_AVRO, 9,
        DeadLetterReason.UNKNOWN_SCHEMA, 3,
        DeadLetterReason.NON_FINITE_VALUE, 3,
        DeadLetterReason.DIMENSION_MISMATCH, 3));
    assertThat(ReplayPlan.of(labelled(30, 3), "r", 0, 1L).expectedDeadLetters()).isEmpty();
  }

  private static List<String> ids(ReplayPlan plan) {
    return plan.entries().stream().map(ReplayPlan.Entry::id).toList();
  }
}
