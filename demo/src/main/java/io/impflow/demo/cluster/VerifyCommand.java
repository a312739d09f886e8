package io.impflow.demo.cluster;

import io.impflow.demo.MalformedKind;
import io.impflow.model.DensityModel;
import io.impflow.model.artifact.ArtifactException;
import io.impflow.model.scoring.ScoreAgreement;
import io.impflow.model.store.ModelStore;
import io.impflow.schemas.avro.Alert;
import io.impflow.schemas.avro.DeadLetter;
import io.impflow.schemas.avro.FeatureVector;
import io.impflow.schemas.avro.ScoredEvent;
import io.impflow.schemas.avro.SourcePosition;
import io.impflow.schemas.serde.SchemaStore;
import io.impflow.schemas.serde.SingleObjectCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Checks the job's committed output against its input: every record that {@code produce} wrote is scored or
 * dead-lettered exactly once (read_committed), a valid record is scored and a malformed one dead-lettered with its
 * kind's reason, every log-likelihood equals the offline model's (the version the score names) within
 * {@code --tolerance} relative to max(1, |log p|) ({@link ScoreAgreement}), the anomaly flags follow the threshold,
 * and there is exactly one alert per flagged record.
 */
@Command(name = "verify", mixinStandardHelpOptions = true, usageHelpWidth = 110,
    description = "Verifies scores, alerts and dead letters against the input topic and an offline scoring.")
final class VerifyCommand implements Callable<Integer> {
  private static final int SHOWN_PROBLEMS = 10;
  /** |log p| from which a row counts as far in the tail in the report (where 1e-12 absolute is below an ulp). */
  private static final double TAIL = 1000;
  /** Rows per offline scoring call. */
  private static final int OFFLINE_BATCH = 8192;

  @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT,...", description = "Kafka cluster.")
  String bootstrapServers;

  @Option(names = "--model", required = true, paramLabel = "DIR",
      description = "The artifact the job scores with, or the model store it loads versions from (each score is then"
          + " checked against the stored version it names).")
  Path model;

  @Option(names = "--records", required = true, paramLabel = "N",
      description = "Records produce wrote to the input topic.")
  int records;

  @Option(names = "--malformed", required = true, paramLabel = "N", description = "How many of them are malformed.")
  int malformed;

  @Option(names = "--input-topic", defaultValue = "events", description = "(default: ${DEFAULT-VALUE})")
  String inputTopic;

  @Option(names = "--scores-topic", defaultValue = "scores", description = "(default: ${DEFAULT-VALUE})")
  String scoresTopic;

  @Option(names = "--alerts-topic", defaultValue = "alerts", description = "(default: ${DEFAULT-VALUE})")
  String alertsTopic;

  @Option(names = "--dead-letters-topic", defaultValue = "dead-letters", description = "(default: ${DEFAULT-VALUE})")
  String deadLettersTopic;

  @Option(names = "--tolerance", defaultValue = "" + ScoreAgreement.DEFAULT_TOLERANCE,
      description = "Largest allowed |streamed - offline| / max(1, |offline|) log-likelihood, the model's own"
          + " exactness bound (default: ${DEFAULT-VALUE}).")
  double tolerance;

  @Option(names = "--timeout", defaultValue = "300", paramLabel = "SECONDS",
      description = "How long to wait for all output to be committed (default: ${DEFAULT-VALUE}).")
  long timeoutSeconds;

  private final SingleObjectCodec<FeatureVector> vectors =
      SingleObjectCodec.forSpecific(FeatureVector.class, SchemaStore.withGeneratedSchemas());
  private final SingleObjectCodec<ScoredEvent> scoreCodec =
      SingleObjectCodec.forSpecific(ScoredEvent.class, SchemaStore.withGeneratedSchemas());
  private final SingleObjectCodec<Alert> alertCodec =
      SingleObjectCodec.forSpecific(Alert.class, SchemaStore.withGeneratedSchemas());
  private final SingleObjectCodec<DeadLetter> deadLetterCodec =
      SingleObjectCodec.forSpecific(DeadLetter.class, SchemaStore.withGeneratedSchemas());
  private final List<String> problems = new ArrayList<>();
  /** Valid records whose log-likelihood differs from offline scoring by more than the tolerance. */
  private int beyondTolerance;
  /** Scored valid records far in the tail (|offline log p| at least {@link #TAIL}), where the bound is relative. */
  private int tailRows;
  private double largestTailLogLikelihood;
  /** The record with the largest difference relative to max(1, |offline log-likelihood|), for the report. */
  private String largestRelative = "none";
  private double largestRelativeDifference = -1;
  /** Scored valid records per model version, in the order versions were first seen. */
  private final Map<String, Integer> versionCounts = new LinkedHashMap<>();

  @Override
  public Integer call() throws ArtifactException {
    long start = System.nanoTime();
    Map<SourcePosition, ConsumerRecord<byte[], byte[]>> input = readInput();
    if (input == null) {
      return 1;
    }
    Map<SourcePosition, List<ScoredEvent>> scores = new HashMap<>();
    Map<SourcePosition, List<DeadLetter>> deadLetters = new HashMap<>();
    Map<SourcePosition, List<Alert>> alerts = new HashMap<>();
    if (!readOutput(input, scores, deadLetters, alerts)) {
      return 1;
    }
    double largestDifference = checkEveryRecord(input, scores, deadLetters, alerts);
    long flagged = scores.values().stream().filter(s -> s.get(0).getIsAnomaly()).count();
    System.out.printf("verify: %d input records (%d malformed): %d scores (%d anomalies), %d alerts, %d dead letters;"
        + " scored by model versions %s; largest |streamed - offline| log-likelihood %.3g, relative to max(1,"
        + " |log p|) %.3g; %d rows with |log p| >= %.0f (up to %.0f); %.1f s%n", input.size(),
        malformed, scores.values().stream().mapToInt(List::size).sum(), flagged,
        alerts.values().stream().mapToInt(List::size).sum(),
        deadLetters.values().stream().mapToInt(List::size).sum(), versionCounts, largestDifference,
        Math.max(0, largestRelativeDifference), tailRows, TAIL, largestTailLogLikelihood,
        (System.nanoTime() - start) / 1e9);
    System.out.println("verify: the largest relative difference: " + largestRelative);
    if (beyondTolerance > 0) {
      System.out.printf("verify: %d of %d scored records differ from offline scoring by more than %s relative to"
          + " max(1, |log p|)%n", beyondTolerance, scores.size(), tolerance);
    }
    if (!problems.isEmpty()) {
      System.err.println("verify: FAILED, " + problems.size() + " problems; the first ones:");
      problems.stream().limit(SHOWN_PROBLEMS).forEach(p -> System.err.println("  " + p));
      return 1;
    }
    System.out.println("verify: OK: every record scored or dead-lettered exactly once; scores equal offline scoring"
        + " within " + tolerance + " relative to max(1, |log p|)");
    return 0;
  }

  /** Every committed input record by position; null (after saying why) when the topic does not hold the load. */
  private Map<SourcePosition, ConsumerRecord<byte[], byte[]>> readInput() {
    Map<SourcePosition, ConsumerRecord<byte[], byte[]>> input = new LinkedHashMap<>();
    Map<String, SourcePosition> keys = new HashMap<>();
    int malformedSeen = 0;
    try (CommittedTopics reader = new CommittedTopics(bootstrapServers, List.of(inputTopic))) {
      while (!reader.atEnd()) {
        for (ConsumerRecord<byte[], byte[]> record : reader.poll()) {
          SourcePosition position = position(record);
          String key = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
          SourcePosition earlier = keys.put(key, position);
          if (earlier != null) {
            problems.add("input record '" + key + "' written twice, at " + earlier + " and " + position);
          }
          malformedSeen += LoadKeys.kindOf(key) == null ? 0 : 1;
          input.put(position, record);
        }
      }
    }
    if (input.size() != records || malformedSeen != malformed) {
      System.err.println("error: " + inputTopic + " holds " + input.size() + " records (" + malformedSeen
          + " malformed), expected " + records + " (" + malformed + " malformed); did produce finish?");
      return null;
    }
    return input;
  }

  /** Reads the three output topics until every input position has output, then to their ends. */
  private boolean readOutput(Map<SourcePosition, ConsumerRecord<byte[], byte[]>> input,
      Map<SourcePosition, List<ScoredEvent>> scores, Map<SourcePosition, List<DeadLetter>> deadLetters,
      Map<SourcePosition, List<Alert>> alerts) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    try (CommittedTopics reader =
        new CommittedTopics(bootstrapServers, List.of(scoresTopic, alertsTopic, deadLettersTopic))) {
      boolean complete = false;
      while (!complete || !reader.atEnd()) {
        for (ConsumerRecord<byte[], byte[]> record : reader.poll()) {
          if (record.topic().equals(scoresTopic)) {
            ScoredEvent score = scoreCodec.decode(record.value());
            scores.computeIfAbsent(score.getSource(), p -> new ArrayList<>()).add(score);
          } else if (record.topic().equals(alertsTopic)) {
            Alert alert = alertCodec.decode(record.value());
            alerts.computeIfAbsent(alert.getEvent().getSource(), p -> new ArrayList<>()).add(alert);
          } else {
            DeadLetter deadLetter = deadLetterCodec.decode(record.value());
            deadLetters.computeIfAbsent(deadLetter.getSource(), p -> new ArrayList<>()).add(deadLetter);
          }
        }
        complete = complete || input.keySet().stream()
            .allMatch(p -> scores.containsKey(p) || deadLetters.containsKey(p));
        if (!complete && System.nanoTime() > deadline) {
          long missing = input.keySet().stream()
              .filter(p -> !scores.containsKey(p) && !deadLetters.containsKey(p)).count();
          System.err.println("error: after " + timeoutSeconds + " s, " + missing + " of " + input.size()
              + " input records have neither a committed score nor a dead letter; is the job running?");
          return false;
        }
      }
    }
    return true;
  }

  /** Adds a problem for every record that breaks a rule; returns the largest log-likelihood difference. */
  private double checkEveryRecord(Map<SourcePosition, ConsumerRecord<byte[], byte[]>> input,
      Map<SourcePosition, List<ScoredEvent>> scores, Map<SourcePosition, List<DeadLetter>> deadLetters,
      Map<SourcePosition, List<Alert>> alerts) throws ArtifactException {
    List<SourcePosition> valid = new ArrayList<>();
    List<double[]> rows = new ArrayList<>();
    for (Map.Entry<SourcePosition, ConsumerRecord<byte[], byte[]>> entry : input.entrySet()) {
      SourcePosition position = entry.getKey();
      String key = new String(entry.getValue().key(), StandardCharsets.UTF_8);
      MalformedKind kind = LoadKeys.kindOf(key);
      int scored = scores.getOrDefault(position, List.of()).size();
      int deadLettered = deadLetters.getOrDefault(position, List.of()).size();
      if (kind == null && (scored != 1 || deadLettered != 0)) {
        problems.add(key + " at " + position + ": " + scored + " scores and " + deadLettered + " dead letters,"
            + " expected exactly one score");
      } else if (kind != null && (scored != 0 || deadLettered != 1)) {
        problems.add(key + " at " + position + ": " + scored + " scores and " + deadLettered + " dead letters,"
            + " expected exactly one dead letter");
      } else if (kind != null && deadLetters.get(position).get(0).getReason() != kind.expectedReason()) {
        problems.add(key + " at " + position + ": dead-letter reason " + deadLetters.get(position).get(0).getReason()
            + ", expected " + kind.expectedReason());
      } else if (kind == null) {
        valid.add(position);
        rows.add(vectors.decode(entry.getValue().value()).getFeatures().stream().mapToDouble(Double::doubleValue)
            .toArray());
      }
    }
    List<SourcePosition> stray = new ArrayList<>(scores.keySet());
    stray.addAll(deadLetters.keySet());
    stray.addAll(alerts.keySet());
    stray.removeAll(input.keySet());
    if (!stray.isEmpty()) {
      problems.add(stray.size() + " output records point at no input record, e.g. " + stray.get(0));
    }
    Map<String, List<Integer>> byVersion = new LinkedHashMap<>();
    for (int k = 0; k < valid.size(); k++) {
      byVersion.computeIfAbsent(scores.get(valid.get(k)).get(0).getModelVersion(), v -> new ArrayList<>()).add(k);
    }
    double largest = 0;
    for (Map.Entry<String, List<Integer>> group : byVersion.entrySet()) {
      versionCounts.put(group.getKey(), group.getValue().size());
      Path artifact = artifactOf(group.getKey());
      if (artifact == null) {
        problems.add(group.getValue().size() + " scores name model version " + group.getKey() + ", which "
            + (Files.isRegularFile(model.resolve("manifest.json")) ? "is not the version of --model " + model
                : "the store " + model + " does not hold"));
        continue;
      }
      List<Integer> members = group.getValue();
      try (DensityModel density = DensityModel.load(artifact)) {
        double threshold = density.calibration().orElseThrow(() -> new IllegalStateException("model " + artifact
            + " has no calibrated threshold; the job needs one too")).threshold();
        // In chunks, so a soak's million rows need no million-row tensors; a row scores the same in any batch.
        for (int from = 0; from < members.size(); from += OFFLINE_BATCH) {
          List<Integer> chunk = members.subList(from, Math.min(members.size(), from + OFFLINE_BATCH));
          double[] offline = density.score(chunk.stream().map(rows::get).toArray(double[][]::new)).logLikelihood();
          for (int m = 0; m < chunk.size(); m++) {
            largest = Math.max(largest, checkScore(valid.get(chunk.get(m)), offline[m], threshold, input, scores,
                alerts));
          }
        }
      }
    }
    return largest;
  }

  /** Checks one valid record's score against the offline log-likelihood; returns |streamed - offline|. */
  private double checkScore(SourcePosition position, double offline, double threshold,
      Map<SourcePosition, ConsumerRecord<byte[], byte[]>> input, Map<SourcePosition, List<ScoredEvent>> scores,
      Map<SourcePosition, List<Alert>> alerts) {
    ScoredEvent score = scores.get(position).get(0);
    String key = new String(input.get(position).key(), StandardCharsets.UTF_8);
    double difference = Math.abs(score.getLogLikelihood() - offline);
    int alertCount = alerts.getOrDefault(position, List.of()).size();
    double relative = ScoreAgreement.relativeDifference(score.getLogLikelihood(), offline);
    if (Math.abs(offline) >= TAIL) {
      tailRows++;
      largestTailLogLikelihood = Math.max(largestTailLogLikelihood, Math.abs(offline));
    }
    if (!(relative <= largestRelativeDifference)) {
      largestRelativeDifference = relative;
      largestRelative = String.format("%s at %s: streamed %.17g, offline %.17g, |difference| %.3g, relative %.3g,"
          + " solver residual %.3g", key, position, score.getLogLikelihood(), offline, difference, relative,
          score.getSolverResidual());
    }
    if (!(relative <= tolerance)) {
      beyondTolerance++;
      problems.add(key + " at " + position + ": streamed log-likelihood " + score.getLogLikelihood()
          + ", offline " + offline + ", relative difference " + relative + " (model " + score.getModelVersion()
          + ")");
    } else if (!score.getId().equals(key)) {
      problems.add("the score at " + position + " has id " + score.getId() + ", the record's key is " + key);
    } else if (score.getThreshold() != threshold || score.getIsAnomaly() != (offline < threshold)) {
      problems.add(key + " at " + position + ": threshold " + score.getThreshold() + " and flag "
          + score.getIsAnomaly() + ", expected " + threshold + " and " + (offline < threshold));
    } else if (alertCount != (score.getIsAnomaly() ? 1 : 0)) {
      problems.add(key + " at " + position + ": " + alertCount + " alerts for a record flagged "
          + score.getIsAnomaly());
    }
    return Double.isNaN(difference) ? Double.POSITIVE_INFINITY : difference;
  }

  /**
   * The artifact of a model version: --model itself when it is an artifact of that version, or the store's
   * {@code versions/<version>} when --model is a model store; null when there is none.
   */
  private Path artifactOf(String version) throws ArtifactException {
    if (Files.isRegularFile(model.resolve("manifest.json"))) {
      try (DensityModel density = DensityModel.load(model)) {
        return density.version().equals(version) ? model : null;
      }
    }
    Path stored = model.resolve(ModelStore.VERSIONS).resolve(version);
    return version.matches("[0-9A-Za-z._-]+") && Files.isRegularFile(stored.resolve("manifest.json")) ? stored : null;
  }

  private static SourcePosition position(ConsumerRecord<?, ?> record) {
    return new SourcePosition(record.topic(), record.partition(), record.offset());
  }
}
