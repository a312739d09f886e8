package io.impflow.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.impflow.schemas.avro.DeadLetterReason;
import io.impflow.schemas.avro.FeatureVector;
import io.impflow.schemas.registry.RegistrySettings;
import io.impflow.testkit.kafka.KafkaClusterExtension;
import io.impflow.testkit.registry.ApicurioProducer;
import io.impflow.testkit.registry.InProcessSchemaRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * kafka:// windows of schema-registry framed records on a real broker: records of two writer versions (written by
 * Apicurio's serializer) read by field name for training and for a retraining window, bad records skipped by the
 * job's reasons, and an unreachable registry failing the read instead of skipping records.
 */
class FramedKafkaWindowIT {
  @RegisterExtension static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

  private static final Schema V1 = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Reading\","
      + "\"namespace\":\"com.acme\",\"fields\":[{\"name\":\"u\",\"type\":\"double\"},"
      + "{\"name\":\"v\",\"type\":\"double\"},{\"name\":\"y\",\"type\":\"int\"}]}");
  /** A later version: a string in front, v widened from int data to long, a field order change. */
  private static final Schema V2 = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Reading\","
      + "\"namespace\":\"com.acme\",\"fields\":[{\"name\":\"site\",\"type\":\"string\"},"
      + "{\"name\":\"y\",\"type\":\"int\"},{\"name\":\"v\",\"type\":\"long\"},{\"name\":\"u\",\"type\":\"double\"}]}");
  private static final Schema NO_V = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Reading\","
      + "\"namespace\":\"com.acme\",\"fields\":[{\"name\":\"u\",\"type\":\"double\"}]}");
  private static final long BASE_TIME = Instant.now().minus(Duration.ofHours(1)).toEpochMilli();
  private static final InProcessSchemaRegistry REGISTRY = InProcessSchemaRegistry.running(500);

  @BeforeAll
  static void produce() throws Exception {
    KAFKA.cluster().createTopics(2, "framed", "framed-window", "framed-vectors");
    try (ApicurioProducer serializer = new ApicurioProducer(REGISTRY.apicurioV2Url());
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KAFKA.cluster().producerProperties())) {
      for (int i = 0; i < 60; i++) {
        byte[] bytes = i % 2 == 0
            ? serializer.serialize("framed", new GenericRecordBuilder(V1).set("u", (double) i).set("v", 2.0 * i)
                .set("y", i % 10 == 0 ? 1 : 0).build())
            : serializer.serialize("framed", new GenericRecordBuilder(V2).set("site", "s").set("u", (double) i)
                .set("v", 2L * i).set("y", i % 10 == 0 ? 1 : 0).build());
        producer.send(new ProducerRecord<>("framed", i % 2, BASE_TIME + i, null, bytes));
        producer.send(new ProducerRecord<>("framed-window", i % 2, BASE_TIME + i, null, bytes));
      }
      byte[] valid = serializer.serialize("framed-window", new GenericRecordBuilder(V1).set("u", 1.0).set("v", 1.0)
          .set("y", 0).build());
      byte[] unknown = valid.clone();
      unknown[1] = 0x7f;
      byte[] noV = serializer.serialize("framed-window", new GenericRecordBuilder(NO_V).set("u", 1.0).build());
      for (byte[] bad : List.of(unknown, Arrays.copyOf(valid, 7), noV, noV)) {
        producer.send(new ProducerRecord<>("framed-window", 0, BASE_TIME + 100, null, bad));
      }
      for (int i = 0; i < 20; i++) {
        List<Double> features = i == 7 ? List.of(1.0, 2.0, 3.0) : List.of((double) i, -1.0 * i);
        producer.send(new ProducerRecord<>("framed-vectors", i % 2, BASE_TIME + i, null, serializer.serialize(
            "framed-vectors", new GenericRecordBuilder(FeatureVector.getClassSchema()).set("id", "v" + i)
                .set("timestamp", BASE_TIME + i).set("features", features).build())));
      }
      producer.flush();
    }
  }

  @AfterAll
  static void stopRegistry() {
    REGISTRY.close();
  }

  private static DataReadOptions options(List<String> features, Duration maxWait) {
    return new DataReadOptions("y", false, features, 10, 0L, null, 20_000L, Map.of(),
        RegistrySettings.of("--schema-registry-url", REGISTRY.url(), Map.of(), maxWait));
  }

  @Test
  void aTrainingWindowReadsEveryWriterVersionByFieldNameWithLabels() throws Exception {
    Dataset data = DataSource.parse("kafka://" + KAFKA.cluster().bootstrapServers() + "/framed",
        options(List.of(), Duration.ofSeconds(10))).read();
    assertThat(data.featureNames()).containsExactly("u", "v");
    assertThat(data.size()).isEqualTo(60);
    assertThat(data.anomalyCount()).isEqualTo(6);
    for (double[] row : data.rows()) {
      assertThat(row[1]).isEqualTo(2 * row[0]);
    }
  }

  @Test
  void aRetrainingWindowSkipsWhatTheJobWouldDeadLetter() throws Exception {
    KafkaWindowDataSource.Window window = new KafkaWindowDataSource(KAFKA.cluster().bootstrapServers(),
        "framed-window", options(List.of("u", "v"), Duration.ofSeconds(10)))
        .readWindow(KafkaWindowDataSource.Selection.newest(1000), List.of("u", "v"));
    assertThat(window.data().size()).isEqualTo(60);
    assertThat(window.skipped()).containsOnly(Map.entry(DeadLetterReason.UNKNOWN_SCHEMA, 1L),
        Map.entry(DeadLetterReason.MALFORMED_AVRO, 1L), Map.entry(DeadLetterReason.MISSING_FEATURE, 2L));
  }

  @Test
  void framedFeatureVectorsAreReadAsFeatureVectorsInARetrainingWindow() throws Exception {
    KafkaWindowDataSource.Window window = new KafkaWindowDataSource(KAFKA.cluster().bootstrapServers(),
        "framed-vectors", options(List.of("u", "v"), Duration.ofSeconds(10)))
        .readWindow(KafkaWindowDataSource.Selection.newest(1000), List.of("u", "v"));
    assertThat(window.data().size()).isEqualTo(19);
    for (double[] row : window.data().rows()) {
      assertThat(row[1]).isEqualTo(-row[0]);
    }
    assertThat(window.skipped()).containsOnly(Map.entry(DeadLetterReason.DIMENSION_MISMATCH, 1L));
  }

  @Test
  void anUnreachableRegistryFailsTheReadNamingTheRegistry() {
    REGISTRY.stop();
    try {
      assertThatThrownBy(() -> DataSource.parse("kafka://" + KAFKA.cluster().bootstrapServers() + "/framed",
          options(List.of(), Duration.ofMillis(500))).read()).isInstanceOf(DataSourceException.class)
          .hasMessageContaining("no schema registry answered").hasMessageContaining("--schema-registry-url");
    } finally {
      REGISTRY.start();
    }
  }
}
