package io.impflow.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.impflow.model.flow.Architecture;
import io.impflow.schemas.avro.DeadLetterReason;
import io.impflow.schemas.avro.FeatureVector;
import io.impflow.schemas.serde.SchemaStore;
import io.impflow.schemas.serde.SingleObjectCodec;
import io.impflow.testkit.kafka.KafkaProcessCluster;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's pipeline end to end on a small sample: a real broker process, a freshly trained model, the Flink job on
 * a MiniCluster, the replay with every kind of malformed record, and the summary figures; then a second run against
 * an existing cluster whose input topic already holds older records, which reuses the cached model and writes its
 * events schema-registry framed ({@code --input-encoding confluent}, against the registry the demo starts).
 */
class DemoPipelineIT {
  private static final int ROWS = 300;
  private static final int MALFORMED_PER_KIND = 2;

  @TempDir Path work;

  @Test
  void everyRecordComesBackScoredOrDeadLetteredAndTheOutliersRankHigh() throws Exception {
    // train's defaults with a small model and a short budget; 3,000 rows hold out 300, enough for a fitted tail
    // (fewer would calibrate on five extra cross-fits)
    DemoTraining training = new DemoTraining(SmallTraining.settings(Architecture.IMPFLOW, 2, 16, 2, 40, 0.01, 1L),
        3_000, 1L);
    DemoSettings settings = new DemoSettings(ProjectHome.resolve(), null, 0, ROWS, MALFORMED_PER_KIND, 7L, 0,
        Duration.ofMillis(500), Duration.ofSeconds(90), false, false, work.resolve("models"), work.resolve("reports"),
        training, false);
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    DemoResult first;
    Long brokerPid;
    Path temporary;
    try (DemoPipeline pipeline = new DemoPipeline(settings, new PrintStream(console, true, StandardCharsets.UTF_8))) {
      first = pipeline.run();
      brokerPid = pipeline.brokerPid();
      temporary = pipeline.temporaryDirectory();
    }
    DemoResult second;
    ByteArrayOutputStream secondConsole = new ByteArrayOutputStream();
    try (KafkaProcessCluster existing = KafkaProcessCluster.start(work.resolve("existing-cluster"))) {
      existing.createTopics(1, DemoKafka.EVENTS);
      writeOlderRecords(existing, 40);
      try (DemoPipeline again = new DemoPipeline(settings.withCluster(existing.bootstrapServers(), 8L)
          .withConfluentEvents(null), new PrintStream(secondConsole, true, StandardCharsets.UTF_8))) {
        second = again.run();
        assertThat(again.brokerPid()).as("an existing cluster has no broker of ours").isNull();
      }
      assertThat(existing.pid()).matches(pid -> ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isPresent(),
          "the demo leaves an existing cluster running");
    }

    // The figures in the build log, for when an assertion below fails.
    System.out.print(first.summary().format(first.reportDirectory()) + second.summary().format(null));
    assertAddsUp(first.summary());
    DemoSummary summary = first.summary();
    assertThat(summary.alerts()).isEqualTo(summary.detection().flagged());
    assertThat(summary.detection().anomalies()).isBetween(1, ROWS - 1);
    assertThat(summary.detection().auroc()).isNotNull().isGreaterThan(0.9);
    assertThat(summary.latencyP50Millis()).isPositive();
    assertThat(summary.latencyP99Millis()).isGreaterThanOrEqualTo(summary.latencyP50Millis());
    assertThat(summary.model().reused()).isFalse();
    assertThat(summary.model().directory()).startsWith(work.resolve("models")).isDirectory();
    assertThat(first.reportDirectory()).startsWith(work.resolve("reports"));
    for (String file : new String[] {"index.html", "summary.json", "score-histogram.png", "roc-curve.png",
        "training-curves.png"}) {
      assertThat(first.reportDirectory().resolve(file)).isNotEmptyFile();
    }
    assertThat(Files.readString(first.reportDirectory().resolve("summary.json"))).contains("\"auroc\"");
    assertThat(console.toString(StandardCharsets.UTF_8))
        .contains("[2/7]", "[3/7]", "[4/7]", "[5/7]", "[6/7]", "scored " + ROWS);

    assertAddsUp(second.summary());
    assertThat(secondConsole.toString(StandardCharsets.UTF_8)).contains("events are schema-registry framed")
        .contains("events-value");
    assertThat(console.toString(StandardCharsets.UTF_8)).contains("events are Avro single-object encoding");
    assertThat(second.summary().model().reused()).isTrue();
    assertThat(second.summary().model().version()).isEqualTo(summary.model().version());

    assertThat(ProcessHandle.of(brokerPid).filter(ProcessHandle::isAlive)).as("broker process stopped").isEmpty();
    assertThat(temporary).doesNotExist();
  }

  /** Valid FeatureVectors of an earlier run: the demo must neither score nor count them. */
  private static void writeOlderRecords(KafkaProcessCluster cluster, int count) throws Exception {
    SingleObjectCodec<FeatureVector> codec =
        SingleObjectCodec.forSpecific(FeatureVector.class, SchemaStore.withGeneratedSchemas());
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(cluster.producerProperties())) {
      for (int i = 0; i < count; i++) {
        byte[] value = codec.encode(MalformedKind.vector("older-" + i, new double[] {50, 0, 80, 0, 40, 10, 30, 40, 10},
            Instant.now()));
        producer.send(new ProducerRecord<>(DemoKafka.EVENTS, ("older-" + i).getBytes(StandardCharsets.UTF_8), value))
            .get();
      }
    }
  }

  private static void assertAddsUp(DemoSummary summary) {
    int malformed = MALFORMED_PER_KIND * MalformedKind.values().length;
    assertThat(summary.produced()).isEqualTo(ROWS + malformed);
    assertThat(summary.scored()).isEqualTo(ROWS);
    assertThat(summary.scored() + summary.deadLetters()).isEqualTo(summary.produced());
    assertThat(summary.duplicates()).isZero();
    assertThat(summary.deadLettersByReason()).isEqualTo(Map.of(
        DeadLetterReason.MALFORMED_AVRO, 3 * MALFORMED_PER_KIND,
        DeadLetterReason.UNKNOWN_SCHEMA, MALFORMED_PER_KIND,
        DeadLetterReason.NON_FINITE_VALUE, MALFORMED_PER_KIND,
        DeadLetterReason.DIMENSION_MISMATCH, MALFORMED_PER_KIND));
    assertThat(summary.unexpectedDeadLetters()).isEmpty();
    assertThat(summary.detection().rows()).isEqualTo(ROWS);
  }
}
