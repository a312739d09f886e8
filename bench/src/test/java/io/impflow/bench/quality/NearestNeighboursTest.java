package io.impflow.bench.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class NearestNeighboursTest {

  private static double[][] randomRows(Random random, int n, int d) {
    double[][] rows = new double[n][d];
    for (double[] row : rows) {
      for (int j = 0; j < d; j++) {
        row[j] = random.nextGaussian();
      }
    }
    return rows;
  }

  private static double distance(double[] a, double[] b) {
    double s = 0;
    for (int j = 0; j < a.length; j++) {
      s += (a[j] - b[j]) * (a[j] - b[j]);
    }
    return Math.sqrt(s);
  }

  /** Reference indices sorted by distance to {@code query} (then by index), leaving out {@code exclude}. */
  private static int[] sortedByDistance(double[][] reference, double[] query, int exclude) {
    return IntStream.range(0, reference.length).filter(r -> r != exclude).boxed()
        .sorted(Comparator.<Integer>comparingDouble(r -> distance(reference[r], query)).thenComparing(r -> r))
        .mapToInt(Integer::intValue).toArray();
  }

  @Test
  void findsTheSameNeighboursAsSortingEveryDistance() {
    Random random = new Random(1);
    // more rows than two blocks, the last one partial
    double[][] reference = randomRows(random, 2 * NearestNeighbours.BLOCK + 300, 4);
    double[][] queries = randomRows(random, 40, 4);
    NearestNeighbours.Neighbours found = new NearestNeighbours(reference).search(queries, 7);
    assertThat(found.queries()).isEqualTo(40);
    for (int i = 0; i < queries.length; i++) {
      int[] expected = sortedByDistance(reference, queries[i], -1);
      for (int r = 0; r < 7; r++) {
        assertThat(found.index(i, r)).isEqualTo(expected[r]);
        assertThat(found.distance(i, r)).isCloseTo(distance(reference[expected[r]], queries[i]), within(1e-12));
      }
    }
  }

  @Test
  void amongTheReferenceRowsARowIsNotItsOwnNeighbourButItsCopyIs() {
    Random random = new Random(2);
    double[][] reference = randomRows(random, NearestNeighbours.BLOCK + 100, 3);
    int copy = NearestNeighbours.BLOCK + 50; // in the second block
    reference[copy] = reference[10].clone();
    NearestNeighbours.Neighbours found = new NearestNeighbours(reference).searchAmongReference(5);
    for (int i = 0; i < reference.length; i++) {
      int[] expected = sortedByDistance(reference, reference[i], i);
      for (int r = 0; r < 5; r++) {
        assertThat(found.index(i, r)).isEqualTo(expected[r]);
      }
    }
    assertThat(found.index(10, 0)).isEqualTo(copy);
    assertThat(found.distance(10, 0)).isZero();
    assertThat(found.index(copy, 0)).isEqualTo(10);
  }

  @Test
  void equalDistancesAreOrderedByIndex() {
    double[][] reference = {{1}, {-1}, {3}, {1}, {-1}};
    NearestNeighbours.Neighbours found = new NearestNeighbours(reference).search(new double[][] {{0}}, 4);
    assertThat(IntStream.range(0, 4).map(r -> found.index(0, r)).toArray()).containsExactly(0, 1, 3, 4);
    assertThat(found.meanDistance(0)).isEqualTo(1.0);
  }

  @Test
  void rejectsImpossibleNeighbourCounts() {
    NearestNeighbours search = new NearestNeighbours(new double[][] {{0, 0}, {1, 1}, {2, 2}});
    assertThatThrownBy(() -> search.search(new double[][] {{0, 0}}, 4)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("k = 4");
    assertThatThrownBy(() -> search.searchAmongReference(3)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> search.search(new double[][] {{0}}, 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected 2");
  }
}
