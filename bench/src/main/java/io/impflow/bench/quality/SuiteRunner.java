package io.impflow.bench.quality;

import io.impflow.trainer.data.DataSourceException;
import io.impflow.trainer.data.Dataset;
import io.impflow.trainer.data.SplitProtocol;
import io.impflow.trainer.eval.RankingMetrics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every method on every (dataset, protocol, seed) case. Each case's split is made once and handed to every
 * method, so all methods are compared on identical training and test rows.
 */
public final class SuiteRunner {

  private static final Logger LOG = LoggerFactory.getLogger(SuiteRunner.class);

  private final List<DetectionMethod> methods;
  private final List<SplitProtocol> protocols;
  private final List<Long> seeds;

  /** A runner of {@code methods} over {@code protocols} × {@code seeds}. */
  public SuiteRunner(List<DetectionMethod> methods, List<SplitProtocol> protocols, List<Long> seeds) {
    this.methods = List.copyOf(methods);
    this.protocols = List.copyOf(protocols);
    this.seeds = List.copyOf(seeds);
  }

  /** The cases of one dataset: one split per protocol and seed, in that order. */
  public List<BenchmarkCase> cases(String name, Dataset data) throws DataSourceException {
    List<BenchmarkCase> cases = new ArrayList<>();
    for (SplitProtocol protocol : protocols) {
      for (long seed : seeds) {
        cases.add(new BenchmarkCase(name, protocol, seed, protocol.split(data, seed)));
      }
    }
    return cases;
  }

  /**
   * Runs every method on every case, seed by seed (all datasets and protocols of seed 1, then of seed 2, …), so
   * that a run stopped early still covers every dataset and protocol. Each record goes to {@code sink} as soon as it
   * exists.
   *
   * @param datasets datasets by name, in table order
   * @param sink receives every record when it is made (e.g. appends it to a file)
   * @param stopAt no case starts after this instant (cases already started finish); {@code null} for no limit
   * @return every record, in the order made
   * @throws MethodFailedException when a method fails; the message names the method and the case
   */
  public List<RunRecord> run(Map<String, Dataset> datasets, Consumer<RunRecord> sink, Instant stopAt)
      throws DataSourceException, MethodFailedException {
    List<RunRecord> records = new ArrayList<>();
    long start = System.nanoTime();
    for (long seed : seeds) {
      for (Map.Entry<String, Dataset> entry : datasets.entrySet()) {
        for (SplitProtocol protocol : protocols) {
          if (stopAt != null && Instant.now().isAfter(stopAt)) {
            LOG.warn("time limit reached: no case starts after {}; stopping before {} {} seed {}", stopAt,
                entry.getKey(), protocol.cliName(), seed);
            return records;
          }
          BenchmarkCase benchmarkCase =
              new BenchmarkCase(entry.getKey(), protocol, seed, protocol.split(entry.getValue(), seed));
          for (DetectionMethod method : methods) {
            RunRecord record = evaluate(benchmarkCase, method);
            records.add(record);
            sink.accept(record);
            LOG.info(String.format(Locale.ROOT, "%-10s %-12s seed %d  %-22s AUROC %.4f  AUPRC %.4f  fit %.1fs"
                + " (%.1f CPU s)  %.0f rows/s  [%.0fs elapsed]", record.dataset(), record.protocol().cliName(),
                record.seed(), record.method(), record.auroc(), record.auprc(), record.fitTime().wallSeconds(),
                record.fitTime().cpuSeconds(), record.scoringRowsPerSecond(), (System.nanoTime() - start) / 1e9));
          }
        }
      }
    }
    return records;
  }

  /** Runs every method on every case without a time limit. */
  public List<RunRecord> run(Map<String, Dataset> datasets) throws DataSourceException, MethodFailedException {
    return run(datasets, record -> { }, null);
  }

  /** Runs one method on one case and ranks its scores against the test labels. */
  public static RunRecord evaluate(BenchmarkCase benchmarkCase, DetectionMethod method)
      throws MethodFailedException {
    MethodRun run = method.run(benchmarkCase.split(), benchmarkCase.seed());
    int[] labels = benchmarkCase.split().test().labels();
    if (run.testScores().length != labels.length) {
      throw new MethodFailedException(method.name() + " returned " + run.testScores().length + " scores for the "
          + labels.length + " test rows of " + benchmarkCase.split().test().origin());
    }
    Dataset train = benchmarkCase.split().train();
    return new RunRecord(benchmarkCase.dataset(), benchmarkCase.protocol(), benchmarkCase.seed(), method.name(),
        method.parameterCount(train.dimension()), RankingMetrics.auroc(run.testScores(), labels),
        RankingMetrics.auprc(run.testScores(), labels), run.fitTime(), run.scoreTime(), labels.length,
        run.trainRows(), run.unscored(), (double) train.anomalyCount() / train.size(), run.note());
  }
}
