package io.impflow.demo;

import io.impflow.model.store.ModelStore;
import io.impflow.schemas.avro.ScoredEvent;
import io.impflow.testkit.process.FileTree;
import io.impflow.trainer.data.DataSourceException;
import io.impflow.trainer.eval.DetectionMetrics;
import io.impflow.trainer.fit.StopSignal;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.kafka.common.TopicPartition;

/**
 * The demo's steps 2 to 7 in one object: Kafka, model, job, replay, results and summary, and the clean-up of
 * everything it started. {@link #close()} and {@link #requestStop()} may be called from a shutdown hook while
 * {@link #run()} is still going.
 */
public final class DemoPipeline implements AutoCloseable {
  private static final long TICK_MILLIS = 200;
  private static final long PROGRESS_EVERY_MILLIS = 2000;
  /** After Ctrl-C the broker is usually stopping too, and the job's sinks would only retry against it. */
  private static final Duration STOP_AFTER_CTRL_C = Duration.ofSeconds(5);

  private final DemoSettings settings;
  private final PrintStream out;
  private final String runId;
  private final CleanupStack cleanup = new CleanupStack();
  private final StopSignal stop = new StopSignal();
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private volatile DemoStep step = DemoStep.KAFKA;
  private volatile Path temporaryDirectory;
  private volatile DemoKafka kafka;
  private volatile EmbeddedJob job;

  /** A pipeline for {@code settings} that reports progress to {@code out}. */
  public DemoPipeline(DemoSettings settings, PrintStream out) {
    this.settings = settings;
    this.out = out;
    this.runId = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
  }

  /** The id that prefixes this run's record ids, consumer group and transactional ids. */
  public String runId() {
    return runId;
  }

  /** The run's temporary directory (broker and Flink files), or {@code null} before step 2; removed on shut-down. */
  public Path temporaryDirectory() {
    return temporaryDirectory;
  }

  /** The Kafka address in use, or {@code null} before step 2. */
  public String bootstrapServers() {
    DemoKafka k = kafka;
    return k == null ? null : k.bootstrapServers();
  }

  /** The process id of the broker the demo started, or {@code null} (none yet, or an existing cluster). */
  public Long brokerPid() {
    DemoKafka k = kafka;
    return k == null ? null : k.brokerPid();
  }

  /** The step running now (or the last one that ran). */
  public DemoStep step() {
    return step;
  }

  /**
   * Runs steps 2 to 6 and leaves broker and job running until {@link #close()}.
   *
   * @throws DemoStepException naming the step that failed (or was stopped)
   */
  public DemoResult run() {
    int restPort = EmbeddedJob.freePort(settings.webPort());
    Path temp = createTemporaryDirectory();
    announce(DemoStep.KAFKA);
    kafka = settings.localBroker() ? DemoKafka.startLocal(temp.resolve("kafka"))
        : DemoKafka.connect(settings.bootstrapServers());
    cleanup.push(kafka.local() ? "the Kafka broker (pid " + kafka.brokerPid() + ")" : "the Kafka admin client",
        kafka::close);
    List<String> topics = DemoKafka.TOPICS;
    if (settings.drift()) {
      kafka.createMissing(DriftDemo.TOPICS, DemoStep.KAFKA);
      topics = new java.util.ArrayList<>(DemoKafka.TOPICS);
      topics.addAll(DriftDemo.TOPICS);
    }
    out.println("  " + (kafka.local() ? "local KRaft broker (pid " + kafka.brokerPid() + ")" : "existing cluster")
        + " at " + kafka.bootstrapServers() + "; topics " + topics);
    checkStop();

    announce(DemoStep.MODEL);
    ShuttleSplit data = loadData();
    TrainedModel model = new ModelCache(settings.modelCache(), out).obtain(data.train(),
        settings.training().settings(), settings.retrain(), stop);
    out.printf(Locale.ROOT, "  model %s %s (%s)%n", model.version(), model.reused()
        ? "reused: its training rows and settings match" : String.format(Locale.ROOT, "trained in %.0f s",
        model.seconds()), model.directory());
    String trainCommand = settings.training().trainCommand();
    if (trainCommand != null) {
      out.println("  trained as " + trainCommand + " trains (train's defaults: the same model, the same version id)");
    }
    checkStop();

    announce(DemoStep.JOB);
    ReplayPlan plan = ReplayPlan.of(data.test(), runId, settings.malformedPerKind(), settings.replaySeed());
    Map<TopicPartition, Long> inputStart = kafka.endOffsets(List.of(DemoKafka.EVENTS), DemoStep.JOB);
    ResultCollector collector = new ResultCollector(plan, kafka.consumerProperties("impflow-demo-results-" + runId),
        kafka.endOffsets(List.of(DemoKafka.SCORES, DemoKafka.ALERTS, DemoKafka.DEAD_LETTERS), DemoStep.JOB));
    cleanup.push("the result consumer", collector::close);
    collector.start();
    ModelStore store = null;
    Path serving = model.directory();
    if (settings.drift()) {
      store = publishToStore(model, temp.resolve("model-store"));
      serving = Path.of(store.uri(model.version()));
      out.println("  model " + model.version() + " published to the run's model store " + store.root()
          + "; the job hot-swaps on '" + DriftDemo.MODEL_UPDATES + "' and writes '" + DriftDemo.MODEL_HEALTH + "'");
    }
    EventFraming framing = framing();
    cleanup.push("the event framing (and a schema registry the demo started)", framing::close);
    out.println("  events are " + framing.describe());
    job = EmbeddedJob.start(serving, kafka.bootstrapServers(), inputStart, runId, settings, restPort,
        temp.resolve("flink"), store == null ? null : store.root().toString(), framing.jobArguments());
    EmbeddedJob started = job;
    cleanup.push("the Flink job and its MiniCluster",
        () -> started.stop(stop.isRequested() ? STOP_AFTER_CTRL_C : Duration.ofSeconds(30)));
    out.println("  job " + job.jobId() + " running with model " + job.modelVersion() + "; REST API at "
        + job.restUrl());
    checkStop();

    announce(DemoStep.REPLAY);
    EventReplayer replayer = new EventReplayer(plan, DemoKafka.EVENTS, settings.rate(), kafka.producerProperties(),
        framing.encoder());
    cleanup.push("the replay producer", replayer::close);
    out.printf(Locale.ROOT, "  writing %,d records (%,d test rows, %,d malformed) %s%n", plan.size(), plan.rows(),
        plan.size() - plan.rows(), settings.rate() > 0
            ? String.format(Locale.ROOT, "at %,.0f records/s", settings.rate()) : "as fast as the producer goes");
    replayer.start();

    announce(DemoStep.RESULTS);
    follow(plan, replayer, collector);
    try {
      collector.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DemoStepException(DemoStep.RESULTS, "interrupted while closing the result consumer", e);
    }
    DemoSummary summary = summarize(plan, replayer, collector, model);
    DriftSummary drift = null;
    if (store != null) {
      out.println();
      out.println("model lifecycle (--drift): normal behaviour shifts, the job reports drift, a retrain runs from the"
          + " topic, the gate decides, the job swaps");
      drift = new DriftDemo(kafka, job, store, model.version(), settings, framing, runId, out, this::checkStop,
          temp.resolve("retrain")).run(data.test());
    }
    Path reportDirectory = settings.reportRoot().resolve("demo-"
        + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)) + "-" + runId);
    List<Path> files;
    try {
      files = DemoReport.write(reportDirectory, summary, DemoSummary.align(plan, collector.scores()), drift);
    } catch (IOException e) {
      throw new DemoStepException(DemoStep.RESULTS, "writing the report to " + reportDirectory + " failed: "
          + e.getMessage(), "check that " + settings.reportRoot() + " is writable", e);
    }
    return new DemoResult(summary, reportDirectory, files, drift);
  }

  /** Publishes the model to a fresh store in the run's temporary directory and points its latest at it. */
  private static ModelStore publishToStore(TrainedModel model, Path directory) {
    try {
      ModelStore store = ModelStore.open(directory.toUri().toString());
      store.setLatest(store.publish(model.directory()).version());
      return store;
    } catch (IOException | io.impflow.model.artifact.ArtifactException e) {
      throw new DemoStepException(DemoStep.JOB, "publishing the model to the store " + directory + " failed: "
          + e.getMessage(), e);
    }
  }

  /** How to reach the running pipeline, for {@code --keep-running}. */
  public String howToReach() {
    DemoKafka k = kafka;
    EmbeddedJob j = job;
    if (k == null || j == null) {
      return "the pipeline is not running";
    }
    return String.format(Locale.ROOT, "  Kafka      bootstrap.servers=%s (topics %s; input is single-object Avro"
        + " FeatureVector)%n  Flink job  %s, REST API %s/jobs/%s (e.g. curl %s/jobs/overview)%n"
        + "  Ctrl-C stops the job and the broker and removes the temporary files.%n", k.bootstrapServers(),
        DemoKafka.TOPICS, j.jobId(), j.restUrl(), j.jobId(), j.restUrl());
  }

  /** Blocks until {@link #requestStop()} (Ctrl-C). */
  public void awaitStopRequest() throws InterruptedException {
    stopRequested.await();
  }

  /** Asks the run to stop at the next chance (training stops after its current step). */
  public void requestStop() {
    stop.request();
    stopRequested.countDown();
  }

  /** Whether a stop was requested. */
  public boolean stopRequested() {
    return stop.isRequested();
  }

  /**
   * Step 7: stops everything this run started, newest first, and deletes the temporary directories; idempotent.
   *
   * @return what could not be stopped or removed (empty when all went well)
   */
  public List<String> shutDown() {
    return cleanup.closeAll();
  }

  /** {@link #shutDown()} for try-with-resources; fails when something could not be stopped or removed. */
  @Override
  public void close() {
    List<String> failures = shutDown();
    if (!failures.isEmpty()) {
      throw new IllegalStateException("could not shut down: " + String.join("; ", failures));
    }
  }

  private Path createTemporaryDirectory() {
    try {
      Path temp = Files.createTempDirectory("impflow-demo-" + runId + "-");
      temporaryDirectory = temp;
      cleanup.push("the temporary directory " + temp, () -> FileTree.delete(temp));
      return temp;
    } catch (IOException e) {
      throw new DemoStepException(DemoStep.KAFKA, "cannot create a temporary directory: " + e.getMessage(),
          "check that " + System.getProperty("java.io.tmpdir") + " is writable and not full", e);
    }
  }

  private EventFraming framing() {
    try {
      return settings.framing();
    } catch (RuntimeException e) {
      throw new DemoStepException(DemoStep.JOB, "the schema registry at " + settings.schemaRegistryUrl()
          + " did not register the events' schema: " + e.getMessage(), "start the registry, or leave out"
          + " --schema-registry-url and the demo starts one", e);
    }
  }

  private ShuttleSplit loadData() {
    try {
      return ShuttleSplit.load(settings.dataset(), settings.training().splitSeed(), settings.training().trainRows(),
          settings.testRows());
    } catch (DataSourceException e) {
      throw new DemoStepException(DemoStep.MODEL, e.getMessage(), e);
    }
  }

  /** Waits until every record written is accounted for, printing progress; fails on a stall or a failed job. */
  private void follow(ReplayPlan plan, EventReplayer replayer, ResultCollector collector) {
    long start = System.nanoTime();
    long lastProgress = start;
    long lastChange = start;
    long lastAccounted = 0;
    long lastAlerts = 0;
    long lastSent = 0;
    long lastOut = 0;
    while (true) {
      checkStop();
      if (replayer.failure() != null) {
        throw new DemoStepException(DemoStep.REPLAY, "writing to '" + DemoKafka.EVENTS + "' failed after "
            + replayer.acknowledged() + " records: " + replayer.failure(), replayer.failure());
      }
      if (collector.failure() != null) {
        throw new DemoStepException(DemoStep.RESULTS, "an output record could not be read: "
            + collector.failure().getMessage(), collector.failure());
      }
      long accounted = collector.accounted();
      long alerts = collector.alerts();
      // every record accounted for, and the alerts of the flagged ones in too (another sink, committed apart)
      if (replayer.done() && accounted >= plan.size() && alerts >= collector.flaggedScores()) {
        progressLine(plan, replayer, collector, start, 0, 0);
        return;
      }
      long now = System.nanoTime();
      if (accounted != lastAccounted || alerts != lastAlerts) {
        lastAccounted = accounted;
        lastAlerts = alerts;
        lastChange = now;
      }
      if (now - lastProgress >= TimeUnit.MILLISECONDS.toNanos(PROGRESS_EVERY_MILLIS)) {
        double seconds = (now - lastProgress) / 1e9;
        long sent = replayer.acknowledged();
        progressLine(plan, replayer, collector, start, (sent - lastSent) / seconds,
            (accounted - lastOut) / seconds);
        lastSent = sent;
        lastOut = accounted;
        lastProgress = now;
        checkJobRuns();
      }
      if (now - lastChange > settings.stallTimeout().toNanos()) {
        throw new DemoStepException(DemoStep.RESULTS, String.format(Locale.ROOT, "no new results for %d s: %,d of"
            + " %,d records accounted for, %,d alerts of %,d flagged scores, consumer lag %d",
            settings.stallTimeout().toSeconds(), accounted, plan.size(), alerts, collector.flaggedScores(),
            kafka.lag(DemoKafka.EVENTS, EmbeddedJob.groupId(runId))), null);
      }
      pause();
    }
  }

  private void progressLine(ReplayPlan plan, EventReplayer replayer, ResultCollector collector, long start,
      double inRate, double outRate) {
    out.printf(Locale.ROOT, "  %5.1f s  in %,7.0f rec/s (written %,d/%,d)  out %,7.0f rec/s (scored %,d, dead"
        + " letters %,d)  alerts %,d  in flight %,d  consumer lag %s%n", (System.nanoTime() - start) / 1e9, inRate,
        replayer.acknowledged(), plan.size(), outRate, collector.scored(), collector.deadLetters(), collector.alerts(),
        replayer.acknowledged() - collector.accounted(),
        lagText(kafka.lag(DemoKafka.EVENTS, EmbeddedJob.groupId(runId))));
  }

  private static String lagText(long lag) {
    return lag < 0 ? "n/a (no offsets committed yet)" : String.format(Locale.ROOT, "%,d", lag);
  }

  private void checkJobRuns() {
    JobStatus status = job.status();
    if (status == null || status.isTerminalState()) {
      throw new DemoStepException(DemoStep.RESULTS, "the Flink job is no longer running (status " + status + "): "
          + job.failureMessage(), null);
    }
  }

  private DemoSummary summarize(ReplayPlan plan, EventReplayer replayer, ResultCollector collector,
      TrainedModel model) {
    Map<String, ScoredEvent> scores = collector.scores();
    DemoSummary.Scores aligned = DemoSummary.align(plan, scores);
    double threshold = scores.values().stream().findAny().map(ScoredEvent::getThreshold).orElse(Double.NaN);
    DetectionMetrics detection = DetectionMetrics.of(aligned.logLikelihood(), aligned.flags(), aligned.labels(),
        -threshold);
    List<OperatingPoint> otherTargets = DemoTraining.REPORTED_TARGETS.stream()
        .filter(target -> target != model.calibration().targetFpr())
        .map(target -> OperatingPoint.of(aligned, model.calibration().withTargetFpr(target))).toList();
    double seconds = (collector.lastResultNanos() - replayer.startNanos()) / 1e9;
    List<Long> latencies = collector.latenciesMillis();
    return new DemoSummary(plan.size(), plan.rows(), plan.size() - plan.rows(), collector.scored(),
        collector.deadLetters(), collector.alerts(), collector.duplicates(), seconds,
        DemoSummary.percentile(latencies, 50), DemoSummary.percentile(latencies, 99), threshold,
        model.calibration().targetFpr(), detection, otherTargets,
        Map.copyOf(collector.deadLettersByReason()), plan.expectedDeadLetters(),
        List.copyOf(collector.unexpectedDeadLetters()), model, settings.checkpointInterval().toMillis(),
        replayer.writeSeconds());
  }

  private void announce(DemoStep next) {
    step = next;
    out.println();
    out.println("[" + next.number() + "/" + DemoStep.COUNT + "] " + next.title());
  }

  private void checkStop() {
    if (stop.isRequested()) {
      throw new DemoStepException(step, "stopped by Ctrl-C", "nothing to do; everything is being shut down", null);
    }
  }

  private void pause() {
    try {
      Thread.sleep(TICK_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DemoStepException(step, "interrupted", e);
    }
  }
}
