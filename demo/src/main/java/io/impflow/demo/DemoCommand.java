package io.impflow.demo;

import io.impflow.model.flow.Architecture;
import io.impflow.trainer.fit.TrainingRun;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./impflow demo}: the whole pipeline on one machine, from a local Kafka broker to a summary with AUROC. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 110,
    versionProvider = DemoCommand.Version.class,
    description = {
        "Runs the whole pipeline on this machine: starts a local Kafka broker (KRaft, its own JVM, a temporary"
            + " directory) and creates the topics events, scores, alerts and dead-letters; trains an ImpFlow model on"
            + " the normal rows of datasets/shuttle.csv (the clean split's training part) exactly as './impflow train"
            + " --data datasets/shuttle.csv --split clean' does with its defaults (reused from .impflow/models/ when"
            + " data and settings match); starts the Flink scoring job on an embedded MiniCluster; replays the"
            + " shuttle test rows (normal and outliers, shuffled with a fixed seed) plus malformed records into"
            + " 'events'; shows live progress, then a summary (throughput, latency, alerts, precision/recall at the"
            + " served threshold and at train's 0.1 %% and a 1 %% target of the same calibration, AUROC, dead letters"
            + " by reason) and writes a report with charts. Everything is shut down and removed at the end, on a"
            + " failure, and on Ctrl-C."},
    footer = {"", "Examples:", "  ./impflow demo", "  ./impflow demo --drift",
        "  ./impflow demo --rate 2000 --keep-running", "  ./impflow demo --target-fpr 0.01 --seed 2",
        "  ./impflow demo --train-rows 4000    (a quicker model: a sample, and train's budget for it)",
        "  ./impflow demo --bootstrap-servers kafka:9092 --web-port 0"})
public final class DemoCommand implements Callable<Integer> {
  private static final String LOG_CONFIG = "impflow-demo-log4j2.xml";
  /** The system property naming the demo's log file (read by the demo's log4j2 configuration). */
  static final String LOG_FILE_PROPERTY = "impflow.demo.logFile";
  private static final long HOOK_WAIT_SECONDS = 30;

  private static final DemoTraining TRAINING = DemoTraining.defaults();

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT,...",
      description = "Use this Kafka cluster instead of starting a local broker (missing topics are created).")
  String bootstrapServers;

  @Option(names = "--rate", paramLabel = "N",
      description = "Records per second written to 'events'; 0 = as fast as possible (default: ${DEFAULT-VALUE}).")
  double rate = 0;

  @Option(names = "--rows", paramLabel = "N",
      description = "Replay at most N shuttle test rows, stratified by label; 0 = all 17,187 (default: "
          + "${DEFAULT-VALUE}).")
  int testRows = 0;

  @Option(names = "--malformed-per-kind", paramLabel = "N",
      description = "Malformed records injected per kind (not Avro, empty, truncated, unknown schema, NaN feature,"
          + " wrong dimension) (default: ${DEFAULT-VALUE}).")
  int malformedPerKind = 3;

  @Option(names = "--replay-seed", paramLabel = "S",
      description = "Seed of the replay order and of the malformed records' positions (default: ${DEFAULT-VALUE}).")
  long replaySeed = 1;

  @Option(names = "--web-port", paramLabel = "PORT",
      description = "Port of the MiniCluster's REST API; 0 = any free port (default: ${DEFAULT-VALUE}).")
  int webPort = DemoSettings.DEFAULT_WEB_PORT;

  @Option(names = "--checkpoint-interval", paramLabel = "MS",
      description = "Checkpoint interval in ms; exactly-once output is committed on checkpoints, so this bounds the"
          + " latency (default: ${DEFAULT-VALUE}).")
  long checkpointIntervalMillis = 1000;

  @Option(names = "--stall-timeout", paramLabel = "SECONDS",
      description = "Give up when no result arrives for this long (default: ${DEFAULT-VALUE}).")
  long stallTimeoutSeconds = 120;

  @Option(names = "--keep-running",
      description = "After the summary, leave broker and job running (and print how to reach them) until Ctrl-C.")
  boolean keepRunning;

  @Option(names = "--input-encoding", paramLabel = "single-object|confluent",
      description = "Framing of the events the demo writes and the job reads: single-object, or confluent"
          + " (schema-registry framed, 0x00 + 4-byte schema id + body) (default: ${DEFAULT-VALUE}).")
  String inputEncoding = DemoSettings.SINGLE_OBJECT;

  @Option(names = "--schema-registry-url", paramLabel = "URL",
      description = "Schema registry (Confluent API) for --input-encoding confluent; default: the demo starts one"
          + " in its own JVM.")
  String schemaRegistryUrl;

  @Option(names = "--retrain", description = "Train a new model even when a cached one matches.")
  boolean retrain;

  @Option(names = "--drift",
      description = "After the replay, show the model lifecycle: replay the normal test rows unchanged, then with"
          + " shifted normal behaviour; the job's model-health reports drift, a retrain runs from the topic, the"
          + " gate passes, the job hot-swaps to the new model and the alert rate returns near the target (about 2"
          + " more minutes; the report gets model-health.png).")
  boolean drift;

  @Option(names = "--target-fpr", paramLabel = "P",
      description = "False-positive rate of the threshold the job serves, calibrated on the held-out training rows"
          + " as train's --target-fpr (default: ${DEFAULT-VALUE}, train's default; the summary also reports 0.1 %%"
          + " and 1 %% from the same calibration).")
  double targetFpr = TRAINING.settings().targetFpr();

  @Option(names = "--seed", paramLabel = "S",
      description = "Training seed, as train's --seed: initialization, hold-out and batch order (default:"
          + " ${DEFAULT-VALUE}).")
  long seed = TRAINING.settings().seed();

  @Option(names = "--split-seed", paramLabel = "S",
      description = "Seed of the clean split of datasets/shuttle.csv into training and test rows, as train's"
          + " --split-seed, and of the --train-rows sample (default: ${DEFAULT-VALUE}).")
  long splitSeed = TRAINING.splitSeed();

  @Option(names = "--train-rows", paramLabel = "N",
      description = "Train on a seeded sample of N rows of the clean split's training part; 0 = all 31,910, as train"
          + " reads them (default: ${DEFAULT-VALUE}). Fewer rows also mean a smaller step budget (train's: a quarter"
          + " step per row, at most 2,000).")
  int trainRows = TRAINING.trainRows();

  @Option(names = "--arch", paramLabel = "ARCH",
      description = "IMPFLOW or RESFLOW, as train's --arch (default: ${DEFAULT-VALUE}).")
  Architecture architecture = TRAINING.settings().architecture();

  @Option(names = "--blocks", paramLabel = "N", description = "Flow blocks, as train's --blocks (default:"
      + " ${DEFAULT-VALUE}).")
  int blocks = TRAINING.settings().blocks();

  @Option(names = "--hidden", paramLabel = "H",
      description = "Hidden width of every residual MLP, as train's --hidden (default: ${DEFAULT-VALUE}). Every"
          + " other training setting is train's default.")
  int hidden = TRAINING.settings().hidden();

  @Override
  public Integer call() {
    PrintStream out = System.out;
    PrintStream err = System.err;
    DemoSettings settings;
    try {
      settings = settings(ProjectHome.resolve());
    } catch (DemoStepException e) {
      err.println("impflow demo: " + e.getMessage() + "\n  what to do: " + e.remedy());
      return 1;
    } catch (IllegalArgumentException e) {
      err.println("impflow demo: " + e.getMessage() + " (see --help)");
      return 2;
    }
    DemoPipeline pipeline = new DemoPipeline(settings, out);
    out.println("impflow demo (run " + pipeline.runId() + "): exact-likelihood anomaly detection on a Kafka stream");
    out.println("[1/" + DemoStep.COUNT + "] " + DemoStep.BUILD.title() + ": done by ./impflow");
    CountDownLatch mainFinished = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      pipeline.requestStop();
      try {
        mainFinished.await(HOOK_WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      pipeline.shutDown();
    }, "impflow-demo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    int code;
    try {
      code = runAndReport(pipeline, out);
    } catch (DemoStepException e) {
      code = failed(pipeline, e, e.getMessage(), e.remedy(), err);
    } catch (RuntimeException e) {
      code = failed(pipeline, e, "unexpected error during " + pipeline.step().label() + ": " + e,
          pipeline.step().remedy(), err);
    } finally {
      out.println();
      out.println("[" + DemoStep.SHUTDOWN.number() + "/" + DemoStep.COUNT + "] " + DemoStep.SHUTDOWN.title());
      List<String> failures = pipeline.shutDown();
      if (failures.isEmpty()) {
        out.println("  everything the demo started is stopped and its temporary files are removed; log: "
            + System.getProperty(LOG_FILE_PROPERTY, "(console)"));
      } else {
        err.println("impflow demo: " + DemoStep.SHUTDOWN.label() + " left something behind:");
        failures.forEach(failure -> err.println("  " + failure));
        err.println("  what to do: " + DemoStep.SHUTDOWN.remedy());
      }
      mainFinished.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // Ctrl-C: the hook is running and has just been released by mainFinished.
      }
    }
    return code;
  }

  private int runAndReport(DemoPipeline pipeline, PrintStream out) {
    DemoResult result = pipeline.run();
    DemoSummary summary = result.summary();
    out.println();
    out.println("summary");
    out.print(summary.format(result.reportDirectory()));
    if (result.drift() != null) {
      out.print(result.drift().format());
    }
    out.println("  open " + result.reportDirectory().resolve("index.html") + " for the charts");
    int code = 0;
    if (!summary.accountedFor() || !summary.deadLettersAsInjected()) {
      System.err.println("impflow demo: the records do not add up (see above): the job lost, duplicated or"
          + " misfiled records; its log is " + System.getProperty(LOG_FILE_PROPERTY, "on the console"));
      code = 3;
    }
    if (result.drift() != null && !result.drift().accountedFor()) {
      System.err.println("impflow demo: the lifecycle steps' records do not add up (see above)");
      code = 3;
    }
    if (keepRunning && !pipeline.stopRequested()) {
      out.println();
      out.println("--keep-running: the pipeline stays up until Ctrl-C");
      out.print(pipeline.howToReach());
      out.flush();
      try {
        pipeline.awaitStopRequest();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return code;
  }

  private static int failed(DemoPipeline pipeline, Exception e, String message, String remedy, PrintStream err) {
    if (pipeline.stopRequested()) {
      System.out.println();
      System.out.println("stopped by Ctrl-C during " + pipeline.step().label());
      return 130;
    }
    // Into the log file only (the console shows errors): the message below is what a user needs on screen.
    // Not a static field: main() must point log4j at the demo's configuration before the first logger exists.
    LoggerFactory.getLogger(DemoCommand.class).warn("{}", message, e);
    err.println();
    err.println("impflow demo: " + message);
    err.println("  what to do: " + remedy);
    err.println("  details: " + System.getProperty(LOG_FILE_PROPERTY, "the console log above"));
    return 1;
  }

  DemoSettings settings(Path home) {
    DemoSettings defaults = DemoSettings.defaults(home);
    DemoTraining training = new DemoTraining(DemoTraining.train(architecture, blocks, hidden, seed, targetFpr),
        trainRows, splitSeed);
    return new DemoSettings(home, bootstrapServers == null || bootstrapServers.isBlank() ? null : bootstrapServers,
        rate, testRows, malformedPerKind, replaySeed, webPort, Duration.ofMillis(checkpointIntervalMillis),
        Duration.ofSeconds(stallTimeoutSeconds), keepRunning, retrain, defaults.modelCache(), defaults.reportRoot(),
        training, drift, inputEncoding, schemaRegistryUrl);
  }

  /** The project version, for {@code --version}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"impflow demo " + TrainingRun.impflowVersion()};
    }
  }

  /**
   * Runs the demo; the exit status is 0 on success, 1 when a step failed, 2 for bad options, 3 when the records
   * did not add up, 130 after Ctrl-C.
   */
  public static void main(String[] args) {
    configureLogging();
    CommandLine commandLine = new CommandLine(new DemoCommand()).setCaseInsensitiveEnumValuesAllowed(true);
    System.exit(commandLine.execute(args));
  }

  /** Points log4j at the demo's configuration: everything to a log file, only errors to the console. */
  private static void configureLogging() {
    // Flink's RPC layer logs with mismatched placeholders; log4j's own status messages about that are noise here.
    if (System.getProperty("log4j2.statusLoggerLevel") == null) {
      System.setProperty("log4j2.statusLoggerLevel", "ERROR");
    }
    if (System.getProperty("log4j2.configurationFile") == null) {
      System.setProperty("log4j2.configurationFile", LOG_CONFIG);
    }
    if (System.getProperty(LOG_FILE_PROPERTY) == null) {
      String home = System.getProperty(ProjectHome.PROPERTY, System.getProperty("user.dir"));
      System.setProperty(LOG_FILE_PROPERTY, Path.of(home, ".impflow", "logs", "demo.log").toString());
    }
    Locale.setDefault(Locale.ROOT);
  }
}
