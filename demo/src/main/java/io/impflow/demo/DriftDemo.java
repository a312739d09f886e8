package io.impflow.demo;

import io.impflow.model.store.ModelStore;
import io.impflow.schemas.avro.ModelHealth;
import io.impflow.schemas.avro.ScoredEvent;
import io.impflow.schemas.serde.SchemaStore;
import io.impflow.schemas.serde.SingleObjectCodec;
import io.impflow.trainer.data.DataSourceException;
import io.impflow.trainer.data.Dataset;
import io.impflow.trainer.fit.DeviceOption;
import io.impflow.trainer.retrain.DriftTrigger;
import io.impflow.trainer.retrain.GateSettings;
import io.impflow.trainer.retrain.RetrainDecision;
import io.impflow.trainer.retrain.RetrainOptions;
import io.impflow.trainer.retrain.Retrainer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.apache.flink.api.common.JobStatus;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code ./impflow demo --drift}: the model lifecycle on the running pipeline. The shuttle test set's normal rows are
 * split three ways and replayed at a steady rate: a baseline unchanged, then with normal behaviour shifted
 * ({@link #shift}); the job's model-health windows flag the shifted windows as drift; a retrain reads the shifted
 * records back from {@code events}, fits a candidate with the serving model's settings, gates it, publishes it to the
 * run's model store and announces it on {@code model-updates}; the job swaps to it, and the remaining shifted rows,
 * which no model has seen, are scored by the new model at about the target false-positive rate again.
 */
final class DriftDemo {
  /** Topic of model announcements the demo's job hot-swaps on. */
  static final String MODEL_UPDATES = "model-updates";
  /** Topic of the job's model-health windows. */
  static final String MODEL_HEALTH = "model-health";
  /** The topics the lifecycle steps add. */
  static final List<String> TOPICS = List.of(MODEL_UPDATES, MODEL_HEALTH);
  /** The job's health window in the demo: short, so that the shift shows within seconds. */
  static final Duration HEALTH_WINDOW = Duration.ofSeconds(2);
  /** Records per second of the lifecycle replays when {@code --rate} is not given. */
  static final double DEFAULT_RATE = 1000;
  /** Fewest normal test rows the lifecycle steps need (a sample from {@code --rows} may have fewer). */
  static final int MIN_NORMAL_ROWS = 1500;
  /** Shares of the normal test rows replayed as the baseline and as the shifted window the retrain reads. */
  static final double BASELINE_SHARE = 0.15;
  static final double SHIFTED_SHARE = 0.5;

  /** Shifted features (indices into shuttle's x0..x8) and the offset added to each: x0 + 6, x2 + 8, x6 + 10. */
  private static final int[] SHIFTED_FEATURES = {0, 2, 6};
  private static final double[] SHIFT_OFFSETS = {6, 8, 10};
  private static final long TICK_MILLIS = 200;
  private static final DateTimeFormatter CLOCK =
      DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT).withZone(ZoneId.systemDefault());

  private final DemoKafka kafka;
  private final EmbeddedJob job;
  private final ModelStore store;
  private final String servingVersion;
  private final DemoSettings settings;
  private final EventFraming framing;
  private final String runId;
  private final PrintStream out;
  private final Runnable checkStop;
  private final Path workDirectory;
  private final SingleObjectCodec<ScoredEvent> scoreCodec =
      SingleObjectCodec.forSpecific(ScoredEvent.class, SchemaStore.withGeneratedSchemas());
  private final SingleObjectCodec<ModelHealth> healthCodec =
      SingleObjectCodec.forSpecific(ModelHealth.class, SchemaStore.withGeneratedSchemas());
  private final Map<String, ScoredEvent> scores = new HashMap<>();
  private final List<ModelHealth> windows = new ArrayList<>();
  private int duplicates;
  private long lastScoreNanos = System.nanoTime();
  private long startMillis;

  /**
   * The lifecycle steps on a running pipeline.
   *
   * @param store the run's model store; its latest version is what the job serves
   * @param checkStop throws when the user asked to stop
   * @param workDirectory where the retrain writes its JSON report
   */
  DriftDemo(DemoKafka kafka, EmbeddedJob job, ModelStore store, String servingVersion, DemoSettings settings,
      EventFraming framing, String runId, PrintStream out, Runnable checkStop, Path workDirectory) {
    this.framing = framing;
    this.kafka = kafka;
    this.job = job;
    this.store = store;
    this.servingVersion = servingVersion;
    this.settings = settings;
    this.runId = runId;
    this.out = out;
    this.checkStop = checkStop;
    this.workDirectory = workDirectory;
  }

  /** The documented shift of normal behaviour: x0 + 6, x2 + 8, x6 + 10 (about one standard deviation each). */
  static double[] shift(double[] row) {
    double[] shifted = row.clone();
    for (int k = 0; k < SHIFTED_FEATURES.length; k++) {
      shifted[SHIFTED_FEATURES[k]] += SHIFT_OFFSETS[k];
    }
    return shifted;
  }

  /** The shift in words, for the console and the report. */
  static String shiftText(List<String> featureNames) {
    List<String> parts = new ArrayList<>();
    for (int k = 0; k < SHIFTED_FEATURES.length; k++) {
      parts.add(featureNames.get(SHIFTED_FEATURES[k]) + String.format(Locale.ROOT, " + %.0f", SHIFT_OFFSETS[k]));
    }
    return String.join(", ", parts);
  }

  /**
   * Runs the lifecycle steps on the normal rows of {@code test}.
   *
   * @throws DemoStepException (step 6) naming what did not happen: no drift, a refused candidate, no swap, a stall
   */
  DriftSummary run(Dataset test) {
    int[] normal = IntStream.range(0, test.size()).filter(i -> test.labels()[i] == 0).toArray();
    if (normal.length < MIN_NORMAL_ROWS) {
      throw new DemoStepException(DemoStep.RESULTS, "--drift needs at least " + MIN_NORMAL_ROWS + " normal test"
          + " rows, the replay has " + normal.length, "leave --rows at 0 (all test rows) or raise it", null);
    }
    SplittableRandom random = new SplittableRandom(settings.replaySeed() ^ 0xD21F7L);
    for (int i = normal.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = normal[i];
      normal[i] = normal[j];
      normal[j] = t;
    }
    int baselineRows = (int) Math.round(normal.length * BASELINE_SHARE);
    int shiftedRows = (int) Math.round(normal.length * SHIFTED_SHARE);
    Dataset baseline = part(test, normal, 0, baselineRows, false, "baseline");
    Dataset shifted = part(test, normal, baselineRows, baselineRows + shiftedRows, true, "shifted");
    Dataset fresh = part(test, normal, baselineRows + shiftedRows, normal.length, true, "fresh shifted");
    double rate = settings.rate() > 0 ? settings.rate() : DEFAULT_RATE;
    String shiftText = shiftText(test.featureNames());

    try (KafkaConsumer<byte[], byte[]> scoresIn = fromEnd(DemoKafka.SCORES);
        KafkaConsumer<byte[], byte[]> healthIn = fromEnd(MODEL_HEALTH)) {
      Outputs outputs = new Outputs(scoresIn, healthIn);
      startMillis = nextWindowBoundary();
      header(1, "replay " + baseline.size() + " normal test rows unchanged (baseline)");
      replay(baseline, "baseline", rate, outputs);
      long shiftMillis = nextWindowBoundary();
      header(2, String.format(Locale.ROOT, "replay %,d normal test rows with shifted behaviour: %s", shifted.size(),
          shiftText));
      DriftTrigger trigger = new DriftTrigger();
      ModelHealth[] drift = {null};
      long[] driftReadMillis = {0};
      outputs.onWindow = window -> {
        if (drift[0] == null && window.getWindowStart().toEpochMilli() >= shiftMillis
            && trigger.shouldRetrain(window, servingVersion)) {
          drift[0] = window;
          driftReadMillis[0] = System.currentTimeMillis();
        }
      };
      replay(shifted, "shifted", rate, outputs);
      long windowsClosed = System.currentTimeMillis() + 2 * HEALTH_WINDOW.toMillis() + 10_000;
      outputs.until(() -> drift[0] != null || System.currentTimeMillis() > windowsClosed, "a drift report");
      if (drift[0] == null) {
        throw new DemoStepException(DemoStep.RESULTS, "model-health flagged no window of the shifted replay as"
            + " drift", "see the health windows above; the shift may be too small for this model", null);
      }
      ModelHealth flagged = drift[0];
      out.printf(Locale.ROOT, "  drift reported by model-health for model %s: window %s-%s, p-value distance"
          + " %.3f > %.3f, alert rate %.3f vs target %.3f (%.1f s after the shift started)%n",
          flagged.getModelVersion(), CLOCK.format(flagged.getWindowStart()), CLOCK.format(flagged.getWindowEnd()),
          flagged.getUniformityStatistic(), flagged.getDriftThreshold(), flagged.getAlertRate(),
          flagged.getTargetFpr(), (driftReadMillis[0] - shiftMillis) / 1e3);

      header(3, String.format(Locale.ROOT, "retrain from '%s': the newest %,d records, gated against model %s",
          DemoKafka.EVENTS, shifted.size(), servingVersion));
      RetrainDecision decision = retrain(shifted.size());
      out.println("  " + decision.summary());
      out.printf(Locale.ROOT, "  trained in %.1f s on %,d rows; the gate held out the newest %,d%n",
          decision.trainingSeconds(), decision.trainingRows(), decision.gate() == null ? 0 : decision.gate().rows());
      if (!decision.published()) {
        throw new DemoStepException(DemoStep.RESULTS, "the gate refused the retrained model: " + decision.reason(),
            "see the gate's numbers above and " + workDirectory.resolve("retrain.json"), null);
      }
      long announceMillis = System.currentTimeMillis();

      header(4, String.format(Locale.ROOT, "the job swaps to %s; replay the other %,d shifted rows (fresh)",
          decision.candidateVersion(), fresh.size()));
      long[] swapMillis = {0};
      outputs.onScore = event -> {
        if (swapMillis[0] == 0 && event.getModelVersion().equals(decision.candidateVersion())) {
          swapMillis[0] = System.currentTimeMillis();
          out.printf(Locale.ROOT, "  swapped: the first record scored by %s came %.1f s after the announcement%n",
              decision.candidateVersion(), (swapMillis[0] - announceMillis) / 1e3);
        }
      };
      replay(fresh, "fresh", rate, outputs);
      if (swapMillis[0] == 0) {
        throw new DemoStepException(DemoStep.RESULTS, "the job did not swap to " + decision.candidateVersion()
            + ": every fresh row was scored by the old model", "look for 'refused' in the demo log", null);
      }
      long total = (long) baseline.size() + shifted.size() + fresh.size();
      long healthDeadline = System.currentTimeMillis() + 3 * HEALTH_WINDOW.toMillis() + 10_000;
      outputs.until(() -> windowedSince(startMillis) >= total || System.currentTimeMillis() > healthDeadline,
          "the last health windows");

      header(5, "the alert rate before and after the swap");
      DriftSummary summary = new DriftSummary(shiftText, servingVersion, decision.candidateVersion(),
          flagged.getTargetFpr(), rates("baseline", servingVersion), rates("shifted", servingVersion),
          rates("fresh", servingVersion), rates("fresh", decision.candidateVersion()), flagged,
          (driftReadMillis[0] - shiftMillis) / 1e3, decision, (swapMillis[0] - announceMillis) / 1e3,
          List.copyOf(windows.stream().filter(w -> w.getWindowStart().toEpochMilli() >= startMillis).toList()),
          startMillis, shiftMillis, announceMillis, swapMillis[0], total, countScored(), duplicates);
      out.print(summary.rateLines());
      return summary;
    }
  }

  private static Dataset part(Dataset test, int[] order, int from, int to, boolean shifted, String what) {
    double[][] rows = new double[to - from][];
    for (int i = from; i < to; i++) {
      rows[i - from] = shifted ? shift(test.rows()[order[i]]) : test.rows()[order[i]].clone();
    }
    return new Dataset(test.featureNames(), rows, new int[rows.length], test.origin() + " (" + what + ")");
  }

  private void replay(Dataset rows, String phase, double rate, Outputs outputs) {
    ReplayPlan plan = ReplayPlan.of(rows, runId + "-" + phase, 0, settings.replaySeed());
    String prefix = runId + "-" + phase + "-";
    lastScoreNanos = System.nanoTime();
    try (EventReplayer replayer = new EventReplayer(plan, DemoKafka.EVENTS, rate, kafka.producerProperties(),
        framing.encoder())) {
      replayer.start();
      long[] lastProgress = {System.nanoTime()};
      outputs.until(() -> {
        if (replayer.failure() != null) {
          throw new DemoStepException(DemoStep.REPLAY, "writing to '" + DemoKafka.EVENTS + "' failed: "
              + replayer.failure(), replayer.failure());
        }
        long scored = countScored(prefix);
        if (System.nanoTime() - lastProgress[0] > 4_000_000_000L) {
          lastProgress[0] = System.nanoTime();
          out.printf(Locale.ROOT, "  %s: written %,d/%,d, scored %,d%n", phase, replayer.acknowledged(),
              plan.size(), scored);
        }
        return replayer.done() && scored >= plan.rows();
      }, "the " + phase + " rows scored");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DemoStepException(DemoStep.REPLAY, "interrupted while replaying", e);
    }
    out.printf(Locale.ROOT, "  %s: %,d rows written and scored%n", phase, plan.rows());
  }

  private RetrainDecision retrain(int windowRecords) {
    RetrainOptions options = new RetrainOptions(kafka.bootstrapServers(), DemoKafka.EVENTS, null, windowRecords,
        store.root().toString(), null, 0.2, GateSettings.DEFAULTS, MODEL_UPDATES, Map.of(), framing.registry(), 0,
        DeviceOption.AUTO, null, null, null, null, workDirectory.resolve("retrain.json"));
    try {
      return new Retrainer(options, Clock.systemUTC()).runOnce();
    } catch (DataSourceException | java.io.IOException | io.impflow.model.artifact.ArtifactException
        | io.impflow.trainer.fit.DeviceUnavailableException e) {
      throw new DemoStepException(DemoStep.RESULTS, "the retrain failed: " + e.getMessage(),
          "see the demo log under .impflow/logs/", e);
    }
  }

  private DriftSummary.Rates rates(String phase, String version) {
    String prefix = runId + "-" + phase + "-";
    long rows = 0;
    long alerts = 0;
    double sum = 0;
    long finite = 0;
    for (ScoredEvent event : scores.values()) {
      if (event.getId().startsWith(prefix) && event.getModelVersion().equals(version)) {
        rows++;
        alerts += event.getIsAnomaly() ? 1 : 0;
        if (Double.isFinite(event.getLogLikelihood())) {
          sum += event.getLogLikelihood();
          finite++;
        }
      }
    }
    return new DriftSummary.Rates(rows, alerts, finite == 0 ? Double.NaN : sum / finite);
  }

  private long countScored(String prefix) {
    return scores.keySet().stream().filter(id -> id.startsWith(prefix)).count();
  }

  private long countScored() {
    return countScored(runId + "-");
  }

  private long windowedSince(long fromMillis) {
    return windows.stream().filter(w -> w.getWindowStart().toEpochMilli() >= fromMillis)
        .mapToLong(ModelHealth::getScored).sum();
  }

  /** Waits for the next health-window boundary, so that no window mixes two phases. */
  private long nextWindowBoundary() {
    long window = HEALTH_WINDOW.toMillis();
    long boundary = (System.currentTimeMillis() / window + 1) * window;
    try {
      Thread.sleep(Math.max(0, boundary - System.currentTimeMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DemoStepException(DemoStep.RESULTS, "interrupted", e);
    }
    return boundary;
  }

  private void header(int number, String title) {
    out.println();
    out.println("[drift " + number + "/5] " + title);
  }

  private KafkaConsumer<byte[], byte[]> fromEnd(String topic) {
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(kafka.consumerProperties("impflow-demo-drift-" + runId + "-" + topic));
    Map<TopicPartition, Long> ends = kafka.endOffsets(List.of(topic), DemoStep.RESULTS);
    consumer.assign(List.copyOf(ends.keySet()));
    ends.forEach(consumer::seek);
    return consumer;
  }

  /** Follows {@code scores} and {@code model-health} on the caller's thread, printing every health window. */
  private final class Outputs {
    private final KafkaConsumer<byte[], byte[]> scoresIn;
    private final KafkaConsumer<byte[], byte[]> healthIn;
    java.util.function.Consumer<ScoredEvent> onScore = event -> { };
    java.util.function.Consumer<ModelHealth> onWindow = window -> { };

    Outputs(KafkaConsumer<byte[], byte[]> scoresIn, KafkaConsumer<byte[], byte[]> healthIn) {
      this.scoresIn = scoresIn;
      this.healthIn = healthIn;
    }

    void poll() {
      for (ConsumerRecord<byte[], byte[]> record : scoresIn.poll(Duration.ofMillis(TICK_MILLIS))) {
        ScoredEvent event = scoreCodec.decode(record.value());
        if (!event.getId().startsWith(runId + "-")) {
          continue;
        }
        if (scores.putIfAbsent(event.getId(), event) != null) {
          duplicates++;
        } else {
          lastScoreNanos = System.nanoTime();
          onScore.accept(event);
        }
      }
      for (ConsumerRecord<byte[], byte[]> record : healthIn.poll(Duration.ZERO)) {
        ModelHealth window = healthCodec.decode(record.value());
        if (window.getWindowStart().toEpochMilli() < startMillis) {
          continue; // the labelled replay's windows (a fifth of it are outliers, so they are flagged too)
        }
        windows.add(window);
        out.printf(Locale.ROOT, "  health %s-%s  model %s  n %,6d  mean log-lik %8.2f  alert rate %.3f (target"
            + " %.3f)  p-value distance %.3f%s%n", CLOCK.format(window.getWindowStart()),
            CLOCK.format(window.getWindowEnd()), window.getModelVersion(), window.getScored(),
            window.getMeanLogLikelihood(), window.getAlertRate(), window.getTargetFpr(),
            window.getUniformityStatistic(), window.getDrift() ? "  DRIFT" : "");
        onWindow.accept(window);
      }
    }

    /** Polls until {@code done}; fails on a stopped job, a stall, or Ctrl-C. */
    void until(BooleanSupplier done, String what) {
      while (!done.getAsBoolean()) {
        checkStop.run();
        poll();
        if (System.nanoTime() - lastScoreNanos > settings.stallTimeout().toNanos()) {
          throw new DemoStepException(DemoStep.RESULTS, "waiting for " + what + ": no new score for "
              + settings.stallTimeout().toSeconds() + " s", DemoStep.RESULTS.remedy(), null);
        }
        JobStatus status = job.status();
        if (status == null || status.isTerminalState()) {
          throw new DemoStepException(DemoStep.RESULTS, "the Flink job is no longer running (status " + status
              + "): " + job.failureMessage(), null);
        }
      }
    }
  }

}
