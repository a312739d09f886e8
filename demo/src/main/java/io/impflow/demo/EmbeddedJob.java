package io.impflow.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.impflow.job.AnomalyDetectionJob;
import io.impflow.job.config.JobConfig;
import io.impflow.job.config.JobConfigException;
import io.impflow.job.decode.RawRecord;
import io.impflow.job.decode.RawRecordDeserializationSchema;
import io.impflow.job.sink.KafkaWiring;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.LoggerFactory;

/**
 * The project's {@link AnomalyDetectionJob} on an embedded Flink MiniCluster, reading {@code events} from the offsets
 * where this run's records start and writing scores, alerts and dead letters exactly once. Closing it cancels the
 * job, which also shuts the MiniCluster down.
 */
public final class EmbeddedJob implements AutoCloseable {
  private static final long START_TIMEOUT_SECONDS = 120;
  private static final long STOP_TIMEOUT_SECONDS = 30;
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final StreamExecutionEnvironment env;
  private final JobClient client;
  private final int restPort;
  private final String modelVersion;

  private EmbeddedJob(StreamExecutionEnvironment env, JobClient client, int restPort, String modelVersion) {
    this.env = env;
    this.client = client;
    this.restPort = restPort;
    this.modelVersion = modelVersion;
  }

  /**
   * Builds and submits the job and waits until it runs.
   *
   * @param inputStart where this run's records start in {@code events}
   * @param runId distinguishes this run's consumer group and transactional ids from earlier runs
   * @param restPort the REST port, from {@link #freePort}
   * @param tempDirectory Flink's temporary files go here
   * @throws DemoStepException (step 4) when the configuration is refused or the job fails to start
   */
  public static EmbeddedJob start(Path modelDirectory, String bootstrapServers, Map<TopicPartition, Long> inputStart,
      String runId, DemoSettings settings, int restPort, Path tempDirectory) {
    return start(modelDirectory, bootstrapServers, inputStart, runId, settings, restPort, tempDirectory, null,
        List.of());
  }

  /**
   * As {@link #start(Path, String, Map, String, DemoSettings, int, Path)}; with a {@code modelRoot} (the demo's
   * model store, {@code --drift}) the job also hot-swaps on {@code model-updates} announcements of models under that
   * root and writes model health per {@link DriftDemo#HEALTH_WINDOW} to {@code model-health}; {@code
   * inputArguments} are the job flags that say how events are framed ({@link EventFraming#jobArguments()}).
   */
  public static EmbeddedJob start(Path modelDirectory, String bootstrapServers, Map<TopicPartition, Long> inputStart,
      String runId, DemoSettings settings, int restPort, Path tempDirectory, String modelRoot,
      List<String> inputArguments) {
    JobConfig config;
    AnomalyDetectionJob job;
    try {
      List<String> args = new ArrayList<>(List.of("--model", modelDirectory.toString(), "--bootstrap-servers",
          bootstrapServers, "--input-topic", DemoKafka.EVENTS, "--scores-topic", DemoKafka.SCORES, "--alerts-topic",
          DemoKafka.ALERTS, "--dead-letters-topic", DemoKafka.DEAD_LETTERS, "--group-id", groupId(runId),
          "--transactional-id-prefix", "impflow-demo-" + runId,
          "--checkpoint-interval", settings.checkpointInterval().toMillis() + "ms",
          "--batch-timeout", batchTimeoutMillis(settings.checkpointInterval()) + "ms",
          "--web-port", Integer.toString(restPort)));
      args.addAll(inputArguments);
      if (modelRoot != null) {
        args.addAll(List.of("--model-root", modelRoot, "--model-updates-topic", DriftDemo.MODEL_UPDATES,
            "--model-health-topic", DriftDemo.MODEL_HEALTH,
            "--health-window", DriftDemo.HEALTH_WINDOW.toMillis() + "ms"));
      }
      config = JobConfig.parse(args.toArray(String[]::new));
      KafkaWiring wiring = new KafkaWiring(config);
      job = modelRoot == null
          ? new AnomalyDetectionJob(config, source(config, inputStart), wiring.scores(), wiring.alerts(),
              wiring.deadLetters())
          : new AnomalyDetectionJob(config, source(config, inputStart), wiring.modelUpdates(), wiring.scores(),
              wiring.alerts(), wiring.deadLetters(), wiring.modelHealth());
    } catch (JobConfigException e) {
      throw new DemoStepException(DemoStep.JOB, "the job refused its configuration: " + e.getMessage(), e);
    }
    Configuration flink = new Configuration();
    flink.set(RestOptions.BIND_ADDRESS, InetAddress.getLoopbackAddress().getHostAddress());
    flink.set(RestOptions.BIND_PORT, Integer.toString(restPort));
    flink.set(CoreOptions.TMP_DIRS, tempDirectory.toString());
    flink.set(WebOptions.TMP_DIR, tempDirectory.resolve("web").toString());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(flink);
    JobClient client;
    try {
      job.build(env);
      client = env.executeAsync("impflow demo (model " + job.modelVersion() + ")");
    } catch (Exception e) {
      closeQuietly(env);
      throw new DemoStepException(DemoStep.JOB, "the MiniCluster did not accept the job: " + rootMessage(e), e);
    }
    EmbeddedJob embedded = new EmbeddedJob(env, client, restPort, job.modelVersion());
    try {
      embedded.awaitRunning();
    } catch (RuntimeException e) {
      embedded.close();
      throw e;
    }
    return embedded;
  }

  /**
   * A tenth of the checkpoint interval: scores become visible only on checkpoints anyway, and a paced stream then
   * fills micro-batches of dozens of rows instead of a few, which the per-call cost of the model rewards.
   */
  static long batchTimeoutMillis(Duration checkpointInterval) {
    return Math.max(10, checkpointInterval.toMillis() / 10);
  }

  /** The consumer group of the job's source in run {@code runId}. */
  public static String groupId(String runId) {
    return "impflow-demo-" + runId;
  }

  private static KafkaSource<RawRecord> source(JobConfig config, Map<TopicPartition, Long> inputStart) {
    return KafkaSource.<RawRecord>builder()
        .setBootstrapServers(config.bootstrapServers())
        .setTopics(config.inputTopic())
        .setGroupId(config.groupId())
        .setDeserializer(new RawRecordDeserializationSchema())
        // Exactly this run's records: an existing cluster's topic may hold older ones.
        .setStartingOffsets(OffsetsInitializer.offsets(inputStart))
        .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
        .build();
  }

  /**
   * Checks that the REST port is free (0: finds a free one), so that a taken port fails the demo before it trains
   * for a minute rather than after.
   *
   * @return the port the MiniCluster will use
   * @throws DemoStepException (step 4) when the port is taken
   */
  public static int freePort(int requested) {
    InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), requested);
    try (ServerSocket probe = new ServerSocket()) {
      probe.bind(address);
      return probe.getLocalPort();
    } catch (IOException e) {
      throw new DemoStepException(DemoStep.JOB, "port " + requested + " for the MiniCluster's REST endpoint is taken"
          + " (" + e.getMessage() + "; another Flink, or an earlier demo with --keep-running?)",
          "stop whatever listens on port " + requested + " (see 'ss -ltnp'), or pass --web-port 0 for any free port",
          e);
    }
  }

  /** Waits until the job and every one of its tasks run, so that the replay does not race the deployment. */
  private void awaitRunning() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
    while (true) {
      JobStatus status = status();
      if (status == JobStatus.RUNNING && tasksRunning()) {
        return;
      }
      if (status != null && status.isTerminalState()) {
        throw new DemoStepException(DemoStep.JOB, "the job ended with status " + status + " before it ran: "
            + failureMessage(), null);
      }
      if (System.nanoTime() > deadline) {
        throw new DemoStepException(DemoStep.JOB, "the job's tasks were not running after " + START_TIMEOUT_SECONDS
            + " s (job status " + status + ")", null);
      }
      sleep(200);
    }
  }

  /** Whether the REST API reports every vertex of the job as RUNNING. */
  private boolean tasksRunning() {
    HttpRequest request = HttpRequest.newBuilder(URI.create(restUrl() + "/jobs/" + jobId()))
        .timeout(Duration.ofSeconds(5)).GET().build();
    try {
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return false;
      }
      JsonNode vertices = JSON.readTree(response.body()).path("vertices");
      if (!vertices.isArray() || vertices.isEmpty()) {
        return false;
      }
      for (JsonNode vertex : vertices) {
        if (!"RUNNING".equals(vertex.path("status").asText())) {
          return false;
        }
      }
      return true;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DemoStepException(DemoStep.JOB, "interrupted while waiting for the job to run", e);
    }
  }

  /** The job's status, or {@code null} when the MiniCluster does not answer (it is gone). */
  public JobStatus status() {
    try {
      return client.getJobStatus().get(5, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Why the job failed, from its execution result; a short note when it has none. */
  public String failureMessage() {
    try {
      client.getJobExecutionResult().get(5, TimeUnit.SECONDS);
      return "the job finished without an error";
    } catch (ExecutionException e) {
      return rootMessage(e);
    } catch (TimeoutException e) {
      return "the job's result is not available yet";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted while asking for the job's result";
    }
  }

  /** The job id, for the REST API. */
  public JobID jobId() {
    return client.getJobID();
  }

  /** The REST endpoint of the MiniCluster. */
  public String restUrl() {
    // The address it is bound to: "localhost" may resolve to ::1 first, where nothing listens.
    return "http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + restPort;
  }

  /** The version of the model the job scores with. */
  public String modelVersion() {
    return modelVersion;
  }

  /** Cancels the job (which shuts the MiniCluster down) and waits up to 30 s until it has ended. */
  @Override
  public void close() {
    stop(Duration.ofSeconds(STOP_TIMEOUT_SECONDS));
  }

  /**
   * Cancels the job and waits up to {@code timeout} until it has ended. A job that takes longer (its Kafka sinks
   * retry against a broker that is already gone, as after Ctrl-C in a terminal, which stops the broker too) is
   * left to end with this JVM: the MiniCluster runs inside it, so nothing outlives the demo process.
   */
  public void stop(Duration timeout) {
    try {
      JobStatus status = status();
      if (status != null && !status.isGloballyTerminalState()) {
        client.cancel().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      }
      client.getJobExecutionResult().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      // A cancelled job's result completes exceptionally; that is how it should end.
    } catch (TimeoutException e) {
      LoggerFactory.getLogger(EmbeddedJob.class).warn("the Flink job {} did not end within {} s of being cancelled;"
          + " it ends with this JVM", client.getJobID(), timeout.toSeconds());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closeQuietly(env);
    }
  }

  private static void closeQuietly(StreamExecutionEnvironment env) {
    try {
      env.close();
    } catch (Exception e) {
      // The environment holds no resources beyond the MiniCluster, which the job's end shut down.
    }
  }

  /** The innermost cause's message, which is where Flink puts what actually went wrong. */
  static String rootMessage(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DemoStepException(DemoStep.JOB, "interrupted while waiting for the job to run", e);
    }
  }
}
