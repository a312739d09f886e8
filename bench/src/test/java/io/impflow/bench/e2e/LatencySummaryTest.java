package io.impflow.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class LatencySummaryTest {

  @Test
  void nearestRankPercentilesOfOneToHundred() {
    long[] shuffled = LongStream.rangeClosed(1, 100).map(i -> (i * 37) % 100 + 1).toArray();
    LatencySummary summary = LatencySummary.of(shuffled);
    assertThat(summary).isEqualTo(new LatencySummary(100, 50, 99, 100));
    assertThat(shuffled[0]).isEqualTo(38);   // the input is left unsorted
  }

  @Test
  void smallSamplesUseTheirLargestValueForHighPercentiles() {
    assertThat(LatencySummary.of(new long[] {7, 3, 5})).isEqualTo(new LatencySummary(3, 5, 7, 7));
    assertThat(LatencySummary.of(new long[] {4})).isEqualTo(new LatencySummary(1, 4, 4, 4));
    assertThatThrownBy(() -> LatencySummary.of(new long[0])).isInstanceOf(IllegalArgumentException.class);
  }
}
