package io.impflow.bench.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.impflow.trainer.data.Dataset;
import io.impflow.trainer.data.SplitProtocol;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SuiteRunnerTest {

  /** 100 rows, the last 20 labelled anomalous; feature 0 is the row number, so rows are identifiable. */
  static Dataset labelled() {
    double[][] rows = new double[100][];
    int[] labels = new int[100];
    for (int i = 0; i < 100; i++) {
      rows[i] = new double[] {i, Math.sin(i)};
      labels[i] = i >= 80 ? 1 : 0;
    }
    return new Dataset(List.of("id", "s"), rows, labels, "synthetic");
  }

  /** Records the row ids of every split it is given and scores rows by their id. */
  static class RecordingMethod implements DetectionMethod {
    final String name;
    final List<String> seen = new ArrayList<>();

    RecordingMethod(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public long parameterCount(int dimension) {
      return 0;
    }

    @Override
    public MethodRun run(SplitProtocol.Split split, long seed) {
      seen.add(seed + ":" + Arrays.toString(ids(split.train())) + "|" + Arrays.toString(ids(split.test())));
      double[] scores = Arrays.stream(split.test().rows()).mapToDouble(r -> r[0]).toArray();
      Stopwatch.Elapsed zero = new Stopwatch.Elapsed(1e-3, 1e-3);
      return new MethodRun(scores, 0, zero, zero, split.train().size(), "");
    }
  }

  static int[] ids(Dataset part) {
    return Arrays.stream(part.rows()).mapToInt(r -> (int) r[0]).toArray();
  }

  @Test
  void everyMethodSeesTheIdenticalSplitOfEachCase() throws Exception {
    RecordingMethod first = new RecordingMethod("first");
    RecordingMethod second = new RecordingMethod("second");
    SuiteRunner runner = new SuiteRunner(List.of(first, second),
        List.of(SplitProtocol.CLEAN, SplitProtocol.CONTAMINATED), List.of(1L, 2L, 3L));
    Map<String, Dataset> datasets = new LinkedHashMap<>();
    datasets.put("synthetic", labelled());

    List<RunRecord> records = runner.run(datasets);

    assertThat(records).hasSize(2 * 2 * 3);
    assertThat(first.seen).hasSize(6).doesNotHaveDuplicates().isEqualTo(second.seen);
    // anomalies have the highest ids, so a score equal to the id ranks perfectly
    assertThat(records).allSatisfy(r -> assertThat(r.auroc()).isEqualTo(1.0));
  }

  @Test
  void runsSeedBySeedAndStopsStartingCasesAtTheTimeLimit() throws Exception {
    RecordingMethod method = new RecordingMethod("only");
    SuiteRunner runner = new SuiteRunner(List.of(method), List.of(SplitProtocol.CLEAN, SplitProtocol.CONTAMINATED),
        List.of(1L, 2L));
    Map<String, Dataset> datasets = new LinkedHashMap<>();
    datasets.put("a", labelled());
    datasets.put("b", labelled());
    List<RunRecord> streamed = new ArrayList<>();

    List<RunRecord> all = runner.run(datasets, streamed::add, null);
    assertThat(all).isEqualTo(streamed);
    assertThat(all).extracting(r -> r.seed() + r.dataset() + r.protocol().cliName()).containsExactly(
        "1aclean", "1acontaminated", "1bclean", "1bcontaminated",
        "2aclean", "2acontaminated", "2bclean", "2bcontaminated");

    assertThat(runner.run(datasets, r -> { }, java.time.Instant.now().minusSeconds(1))).isEmpty();
  }

  @Test
  void splitSizesFollowTheProtocols() throws Exception {
    SuiteRunner runner = new SuiteRunner(List.of(), List.of(SplitProtocol.CLEAN, SplitProtocol.CONTAMINATED),
        List.of(5L));
    List<BenchmarkCase> cases = runner.cases("synthetic", labelled());

    SplitProtocol.Split clean = cases.get(0).split();
    assertThat(clean.train().size()).isEqualTo(56);          // 70 % of 80 normal rows
    assertThat(clean.train().anomalyCount()).isZero();
    assertThat(clean.test().size()).isEqualTo(24 + 20);      // the other normal rows and every anomaly
    assertThat(clean.test().anomalyCount()).isEqualTo(20);

    SplitProtocol.Split contaminated = cases.get(1).split();
    assertThat(contaminated.train().size()).isEqualTo(56 + 14);
    assertThat(contaminated.train().anomalyCount()).isEqualTo(14);
    assertThat(contaminated.test().size()).isEqualTo(30);

    for (SplitProtocol.Split split : List.of(clean, contaminated)) {
      int[] all = java.util.stream.IntStream.concat(Arrays.stream(ids(split.train())), Arrays.stream(ids(split.test())))
          .sorted().toArray();
      assertThat(all).isEqualTo(java.util.stream.IntStream.range(0, 100).toArray());
    }
  }

  @Test
  void aMethodReturningTheWrongNumberOfScoresFails() throws Exception {
    DetectionMethod broken = new RecordingMethod("broken") {
      @Override
      public MethodRun run(SplitProtocol.Split split, long seed) {
        Stopwatch.Elapsed zero = new Stopwatch.Elapsed(1e-3, 1e-3);
        return new MethodRun(new double[3], 0, zero, zero, 1, "");
      }
    };
    BenchmarkCase benchmarkCase = new SuiteRunner(List.of(), List.of(SplitProtocol.CLEAN), List.of(1L))
        .cases("synthetic", labelled()).get(0);
    assertThatThrownBy(() -> SuiteRunner.evaluate(benchmarkCase, broken))
        .isInstanceOf(MethodFailedException.class).hasMessageContaining("broken returned 3 scores for the 44 test rows");
  }
}
