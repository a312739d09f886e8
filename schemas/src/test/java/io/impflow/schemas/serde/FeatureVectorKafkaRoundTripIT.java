package io.impflow.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.impflow.schemas.avro.FeatureVector;
import io.impflow.testkit.kafka.KafkaCluster;
import io.impflow.testkit.kafka.KafkaClusterExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Single-object-encoded FeatureVectors through a real broker: all of them come back, once, unchanged. */
class FeatureVectorKafkaRoundTripIT {
  private static final String TOPIC = "feature-vectors";
  private static final int PARTITIONS = 3;
  private static final int RECORDS = 10_000;
  private static final int RECORDS_PER_TRANSACTION = 2_500;
  private static final Duration CONSUME_DEADLINE = Duration.ofSeconds(90);

  @RegisterExtension
  static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

  @Test
  void tenThousandFeatureVectorsComeBackExactlyOnceAndFieldForFieldEqual() {
    KafkaCluster cluster = KAFKA.cluster();
    String backend = cluster.backend();
    System.out.println("FeatureVectorKafkaRoundTripIT: Kafka backend = " + backend + " at "
        + cluster.bootstrapServers());
    assertThat(backend).isIn("process", "container");
    cluster.createTopics(PARTITIONS, TOPIC);

    Map<String, FeatureVector> sent = sampleVectors(new Random(20261129));
    produceInTransactions(cluster, sent);
    List<ConsumerRecord<String, FeatureVector>> received = consumeAll(cluster);

    assertThat(received).hasSize(RECORDS);
    Map<String, FeatureVector> receivedById = new HashMap<>();
    Map<Integer, Integer> perPartition = new TreeMap<>();
    for (ConsumerRecord<String, FeatureVector> record : received) {
      assertThat(receivedById.put(record.value().getId(), record.value()))
          .as("duplicate id %s at partition %d offset %d", record.value().getId(), record.partition(),
              record.offset())
          .isNull();
      assertThat(record.key()).isEqualTo(record.value().getId());
      perPartition.merge(record.partition(), 1, Integer::sum);
    }
    assertThat(receivedById.keySet()).isEqualTo(sent.keySet());
    for (FeatureVector expected : sent.values()) {
      FeatureVector actual = receivedById.get(expected.getId());
      assertThat(actual.getTimestamp()).as("timestamp of %s", expected.getId()).isEqualTo(expected.getTimestamp());
      assertThat(actual.getFeatures()).as("features of %s", expected.getId())
          .containsExactlyElementsOf(expected.getFeatures());
      assertThat(actual.getAttributes()).as("attributes of %s", expected.getId())
          .isEqualTo(expected.getAttributes());
      assertThat(actual).isEqualTo(expected);
    }
    assertThat(perPartition).as("records per partition").hasSize(PARTITIONS);
    System.out.println("FeatureVectorKafkaRoundTripIT: " + received.size() + " records read back, per partition "
        + perPartition);
  }

  /** Ids that sort and hash differently, feature vectors of 0 to 17 values including non-finite ones. */
  private static Map<String, FeatureVector> sampleVectors(Random random) {
    Map<String, FeatureVector> vectors = new LinkedHashMap<>();
    double[] special = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, Double.MIN_VALUE,
        -Double.MAX_VALUE};
    for (int i = 0; i < RECORDS; i++) {
      String id = (i % 7 == 0 ? "sensor-ü/" : "m") + Integer.toString(i * 7919 + 13, 36) + "-" + i;
      List<Double> features = new ArrayList<>();
      int length = i % 18;
      for (int f = 0; f < length; f++) {
        features.add(random.nextInt(50) == 0 ? special[random.nextInt(special.length)]
            : random.nextGaussian() * Math.pow(10, random.nextInt(9) - 4));
      }
      Map<String, String> attributes = new HashMap<>();
      for (int a = 0; a < i % 4; a++) {
        attributes.put("attr" + a, Long.toHexString(random.nextLong()) + (a == 2 ? " – Zürich" : ""));
      }
      Instant timestamp = Instant.ofEpochMilli(1_764_400_000_000L + i * 37L + random.nextInt(1000));
      vectors.put(id, new FeatureVector(id, timestamp, features, attributes));
    }
    return vectors;
  }

  private static void produceInTransactions(KafkaCluster cluster, Map<String, FeatureVector> vectors) {
    Properties properties = cluster.producerProperties();
    properties.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "feature-vector-round-trip");
    properties.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    try (KafkaProducer<String, FeatureVector> producer = new KafkaProducer<>(properties, new StringSerializer(),
        new AvroSingleObjectSerializer<>(FeatureVector.class))) {
      producer.initTransactions();
      int inTransaction = 0;
      for (FeatureVector vector : vectors.values()) {
        if (inTransaction == 0) {
          producer.beginTransaction();
        }
        producer.send(new ProducerRecord<>(TOPIC, vector.getId(), vector));
        if (++inTransaction == RECORDS_PER_TRANSACTION) {
          producer.commitTransaction();
          inTransaction = 0;
        }
      }
      assertThat(inTransaction).as("records left in an open transaction").isZero();
    }
  }

  /** Reads until the deadline or until the expected count arrived and one more poll brings nothing. */
  private static List<ConsumerRecord<String, FeatureVector>> consumeAll(KafkaCluster cluster) {
    Properties properties = cluster.consumerProperties("feature-vector-round-trip");
    properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    // By class name, as a Kafka client configured from a properties file would do it.
    properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, AvroSingleObjectDeserializer.class.getName());
    properties.put(KafkaSerdeConfig.RECORD_CLASS, FeatureVector.class.getName());
    List<ConsumerRecord<String, FeatureVector>> received = new ArrayList<>();
    try (KafkaConsumer<String, FeatureVector> consumer = new KafkaConsumer<>(properties)) {
      consumer.subscribe(List.of(TOPIC));
      long deadline = System.nanoTime() + CONSUME_DEADLINE.toNanos();
      boolean drained = false;
      while (!drained && System.nanoTime() < deadline) {
        int before = received.size();
        consumer.poll(Duration.ofMillis(500)).forEach(received::add);
        drained = received.size() >= RECORDS && received.size() == before;
      }
    }
    return received;
  }
}
