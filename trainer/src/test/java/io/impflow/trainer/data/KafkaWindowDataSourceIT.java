package io.impflow.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.impflow.schemas.avro.FeatureVector;
import io.impflow.schemas.serde.AvroSingleObjectSerializer;
import io.impflow.testkit.kafka.KafkaClusterExtension;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A Kafka topic window read from a real broker: all partitions, a start timestamp, and a record that won't decode. */
class KafkaWindowDataSourceIT {

  @RegisterExtension static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

  private static final long BASE_TIME = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

  @BeforeAll
  static void produce() throws Exception {
    KAFKA.cluster().createTopics(3, "features", "broken");
    AvroSingleObjectSerializer<FeatureVector> serializer = new AvroSingleObjectSerializer<>(FeatureVector.class);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KAFKA.cluster().producerProperties(),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < 90; i++) {
        FeatureVector vector = FeatureVector.newBuilder().setId("r" + i)
            .setTimestamp(Instant.ofEpochMilli(BASE_TIME + i * 1000L))
            .setFeatures(List.of((double) i, -2.0 * i))
            .setAttributes(Map.of("y", i % 10 == 0 ? "1" : "0"))
            .build();
        byte[] bytes = serializer.serialize("features", vector);
        producer.send(new ProducerRecord<>("features", i % 3, BASE_TIME + i * 1000L, null, bytes));
      }
      producer.send(new ProducerRecord<>("broken", 0, null, serializer.serialize("broken",
          FeatureVector.newBuilder().setId("ok").setTimestamp(Instant.ofEpochMilli(BASE_TIME))
              .setFeatures(List.of(1.0, 2.0)).build())));
      producer.send(new ProducerRecord<>("broken", 0, null, new byte[] {1, 2, 3}));
      producer.flush();
    }
  }

  private static DataReadOptions options(Long fromTimestamp) {
    return new DataReadOptions("y", false, List.of("u", "v"), 10, 0L, fromTimestamp, 20_000L);
  }

  @Test
  void readsEveryPartitionUpToTheEndOffsetsWithLabels() throws Exception {
    Dataset data = DataSource.parse("kafka://" + KAFKA.cluster().bootstrapServers() + "/features", options(null))
        .read();
    assertThat(data.size()).isEqualTo(90);
    assertThat(data.featureNames()).containsExactly("u", "v");
    assertThat(data.anomalyCount()).isEqualTo(9);
    Set<Double> ids = new HashSet<>();
    for (int i = 0; i < data.size(); i++) {
      double[] row = data.rows()[i];
      assertThat(row[1]).isEqualTo(-2 * row[0]);
      assertThat(data.labels()[i]).isEqualTo(((int) row[0]) % 10 == 0 ? 1 : 0);
      ids.add(row[0]);
    }
    assertThat(ids).hasSize(90);
  }

  @Test
  void startsAtTheFirstRecordAtOrAfterTheTimestamp() throws Exception {
    Dataset data = DataSource.parse("kafka://" + KAFKA.cluster().bootstrapServers() + "/features",
        options(BASE_TIME + 60_000L)).read();
    assertThat(data.size()).isEqualTo(30);
    for (double[] row : data.rows()) {
      assertThat(row[0]).isGreaterThanOrEqualTo(60);
    }
  }

  @Test
  void anUndecodableRecordNamesItsPartitionAndOffset() {
    assertThatThrownBy(() -> DataSource.parse("kafka://" + KAFKA.cluster().bootstrapServers() + "/broken",
        options(null)).read())
        .isInstanceOf(DataSourceException.class)
        .hasMessageContaining("topic broken partition 0 offset 1");
  }

  @Test
  void aMissingTopicIsNamed() {
    assertThatThrownBy(() -> DataSource.parse("kafka://" + KAFKA.cluster().bootstrapServers() + "/absent",
        options(null)).read())
        .isInstanceOf(DataSourceException.class)
        .hasMessageContaining("absent");
  }
}
