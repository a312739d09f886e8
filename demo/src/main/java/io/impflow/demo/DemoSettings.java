package io.impflow.demo;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything one demo run needs to know.
 *
 * @param home the repository root (data set, cache, logs, reports)
 * @param bootstrapServers an existing Kafka cluster to use, or {@code null} to start a local broker
 * @param rate records per second written to {@code events}; 0 = as fast as the producer goes
 * @param testRows most shuttle test rows replayed, stratified by label (0 = all of them)
 * @param malformedPerKind malformed records injected per kind
 * @param replaySeed seed of the replay order and of the malformed records' positions
 * @param webPort port of the MiniCluster's REST endpoint (0 = any free port)
 * @param checkpointInterval the job's checkpoint interval; scores become visible (committed) on checkpoints
 * @param stallTimeout how long the output may stand still before the demo gives up
 * @param keepRunning leave broker and job running after the summary, until Ctrl-C
 * @param retrain train a new model even when a cached one matches
 * @param modelCache directory of cached models
 * @param reportRoot directory that receives one report directory per run
 * @param training what model to train ({@code train}'s settings) and on which rows
 * @param drift after the replay, show the model lifecycle: a shifted stream, drift, retrain, gate, hot swap
 * @param inputEncoding how events are framed: {@code single-object} or {@code confluent} (schema-registry framed)
 * @param schemaRegistryUrl the registry of {@code confluent} events, or {@code null} to start one in the demo's JVM
 */
public record DemoSettings(Path home, String bootstrapServers, double rate, int testRows, int malformedPerKind,
    long replaySeed, int webPort, Duration checkpointInterval, Duration stallTimeout, boolean keepRunning,
    boolean retrain, Path modelCache, Path reportRoot, DemoTraining training, boolean drift, String inputEncoding,
    String schemaRegistryUrl) {

  /** The framing of events by default. */
  public static final String SINGLE_OBJECT = "single-object";
  /** Schema-registry framing of events. */
  public static final String CONFLUENT = "confluent";

  /** Default REST port of the embedded MiniCluster (Flink's own default). */
  public static final int DEFAULT_WEB_PORT = 8081;

  /** Validates ranges with messages that name the flags. */
  public DemoSettings {
    require(rate >= 0 && Double.isFinite(rate), "--rate must be >= 0 records/s (0 = as fast as possible), got "
        + rate);
    require(testRows >= 0, "--rows must be >= 0 (0 = all test rows), got " + testRows);
    require(malformedPerKind >= 0, "--malformed-per-kind must be >= 0, got " + malformedPerKind);
    require(webPort >= 0 && webPort <= 65535, "--web-port must be in 0..65535, got " + webPort);
    require(checkpointInterval.toMillis() >= 100, "--checkpoint-interval must be >= 100ms, got "
        + checkpointInterval.toMillis() + "ms");
    require(stallTimeout.toSeconds() >= 5, "--stall-timeout must be >= 5s, got " + stallTimeout.toSeconds() + "s");
    require(SINGLE_OBJECT.equals(inputEncoding) || CONFLUENT.equals(inputEncoding),
        "--input-encoding must be single-object or confluent, got '" + inputEncoding + "'");
    require(schemaRegistryUrl == null || CONFLUENT.equals(inputEncoding),
        "--schema-registry-url is only used with --input-encoding confluent");
    if (schemaRegistryUrl != null) {
      io.impflow.schemas.registry.RegistrySettings.of("--schema-registry-url", schemaRegistryUrl,
          java.util.Map.of(), io.impflow.schemas.registry.RegistrySettings.DEFAULT_MAX_WAIT);
    }
  }

  /** Settings with single-object encoded events. */
  public DemoSettings(Path home, String bootstrapServers, double rate, int testRows, int malformedPerKind,
      long replaySeed, int webPort, Duration checkpointInterval, Duration stallTimeout, boolean keepRunning,
      boolean retrain, Path modelCache, Path reportRoot, DemoTraining training, boolean drift) {
    this(home, bootstrapServers, rate, testRows, malformedPerKind, replaySeed, webPort, checkpointInterval, stallTimeout,
        keepRunning, retrain, modelCache, reportRoot, training, drift, SINGLE_OBJECT, null);
  }

  /** The default settings for a repository root: local broker, all rows, cache and reports under .impflow/. */
  public static DemoSettings defaults(Path home) {
    Path state = home.resolve(".impflow");
    return new DemoSettings(home, null, 0, 0, 3, 1L, DEFAULT_WEB_PORT, Duration.ofSeconds(1),
        Duration.ofSeconds(120), false, false, state.resolve("models"), state.resolve("reports"),
        DemoTraining.defaults(), false);
  }

  /** The same settings against an existing cluster, with another replay seed. */
  public DemoSettings withCluster(String servers, long replaySeed) {
    return new DemoSettings(home, servers, rate, testRows, malformedPerKind, replaySeed, webPort, checkpointInterval,
        stallTimeout, keepRunning, retrain, modelCache, reportRoot, training, drift, inputEncoding,
        schemaRegistryUrl);
  }

  /** The same settings with the lifecycle steps ({@code --drift}) on or off. */
  public DemoSettings withDrift(boolean on) {
    return new DemoSettings(home, bootstrapServers, rate, testRows, malformedPerKind, replaySeed, webPort,
        checkpointInterval, stallTimeout, keepRunning, retrain, modelCache, reportRoot, training, on, inputEncoding,
        schemaRegistryUrl);
  }

  /** The same settings with schema-registry framed events, at {@code url} or (null) a registry the demo starts. */
  public DemoSettings withConfluentEvents(String url) {
    return new DemoSettings(home, bootstrapServers, rate, testRows, malformedPerKind, replaySeed, webPort,
        checkpointInterval, stallTimeout, keepRunning, retrain, modelCache, reportRoot, training, drift, CONFLUENT,
        url);
  }

  /** How the events are framed. */
  EventFraming framing() {
    return CONFLUENT.equals(inputEncoding) ? EventFraming.confluent(schemaRegistryUrl) : EventFraming.singleObject();
  }

  /** The shuttle CSV. */
  public Path dataset() {
    return home.resolve(ProjectHome.DATASET);
  }

  /** Whether the demo starts its own broker. */
  public boolean localBroker() {
    return bootstrapServers == null;
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
