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

  /**
   * Record timestamps start a day ago: records older than the broker's retention (7 days) are deleted by its first
   * retention check, 30 s after start-up, and a window would then find an empty topic.
   */
  private static final long BASE_TIME =
      Instant.now().truncatedTo(java.time.temporal.ChronoUnit.HOURS).minus(java.time.Duration.ofDays(1)).toEpochMilli();

  @BeforeAll
  static void produce() throws Exception {
    KAFKA.cluster().createTopics(3, "features", "broken");
    KAFKA.cluster().createTopics(2, "window");
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
      // 40 valid records, one a second, alternating partitions so that time order differs from offset order; then
      // four the job would dead-letter
      for (int i = 0; i < 40; i++) {
        long time = BASE_TIME + i * 1000L;
        producer.send(new ProducerRecord<>("window", (i / 3) % 2, time, null, serializer.serialize("window",
            FeatureVector.newBuilder().setId("w" + i).setTimestamp(Instant.ofEpochMilli(time))
                .setFeatures(List.of((double) i, 1.0)).build())));
      }
      byte[] valid = serializer.serialize("window", FeatureVector.newBuilder().setId("bad")
          .setTimestamp(Instant.ofEpochMilli(BASE_TIME)).setFeatures(List.of(1.0, 2.0)).build());
      long late = BASE_TIME + 100_000L;
      producer.send(new ProducerRecord<>("window", 0, late, null, java.util.Arrays.copyOf(valid, valid.length - 3)));
      producer.send(new ProducerRecord<>("window", 1, late, (byte[]) null, (byte[]) null));
      producer.send(new ProducerRecord<>("window", 0, late, null, serializer.serialize("window",
          FeatureVector.newBuilder().setId("nan").setTimestamp(Instant.ofEpochMilli(late))
              .setFeatures(List.of(Double.NaN, 1.0)).build())));
      producer.send(new ProducerRecord<>("window", 1, late, null, serializer.serialize("window",
          FeatureVector.newBuilder().setId("3d").setTimestamp(Instant.ofEpochMilli(late))
              .setFeatures(List.of(1.0, 2.0, 3.0)).build())));
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

  private static KafkaWindowDataSource.Window window(KafkaWindowDataSource.Selection selection) throws Exception {
    return new KafkaWindowDataSource(KAFKA.cluster().bootstrapServers(), "window", options(null))
        .readWindow(selection, List.of("u", "v"));
  }

  @Test
  void aTimeWindowHoldsTheRecordsSinceItsStartInTimeOrderAndCountsWhatTheJobWouldDeadLetter() throws Exception {
    long now = BASE_TIME + 40_000L;
    KafkaWindowDataSource.Window window =
        window(KafkaWindowDataSource.Selection.since(now, java.time.Duration.ofSeconds(15)));
    double[] first = java.util.Arrays.stream(window.data().rows()).mapToDouble(r -> r[0]).toArray();
    // records at 25 s .. 39 s after BASE_TIME, oldest first across both partitions
    assertThat(first).containsExactly(java.util.stream.IntStream.range(25, 40).asDoubleStream().toArray());
    assertThat(window.timestamps()).containsExactly(java.util.stream.LongStream.range(25, 40)
        .map(i -> BASE_TIME + i * 1000L).toArray());
    assertThat(window.data().featureNames()).containsExactly("u", "v");
    assertThat(window.skipped()).isEqualTo(Map.of(
        io.impflow.schemas.avro.DeadLetterReason.MALFORMED_AVRO, 2L,
        io.impflow.schemas.avro.DeadLetterReason.NON_FINITE_VALUE, 1L,
        io.impflow.schemas.avro.DeadLetterReason.DIMENSION_MISMATCH, 1L));
  }

  @Test
  void aCountWindowHoldsTheNewestValidRecordsAcrossPartitions() throws Exception {
    KafkaWindowDataSource.Window window = window(KafkaWindowDataSource.Selection.newest(7));
    double[] first = java.util.Arrays.stream(window.data().rows()).mapToDouble(r -> r[0]).toArray();
    // the newest 7 valid records by timestamp, oldest first; the invalid ones are counted, not returned
    assertThat(first).containsExactly(33, 34, 35, 36, 37, 38, 39);
    assertThat(window.skippedCount()).isGreaterThanOrEqualTo(1);
    assertThat(window(KafkaWindowDataSource.Selection.newest(1000)).data().size()).isEqualTo(40);
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
