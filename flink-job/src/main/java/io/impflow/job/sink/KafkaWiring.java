package io.impflow.job.sink;

import io.impflow.job.config.JobConfig;
import io.impflow.job.config.OutputEncoding;
import io.impflow.job.decode.RawRecord;
import io.impflow.job.decode.RawRecordDeserializationSchema;
import io.impflow.schemas.avro.Alert;
import io.impflow.schemas.avro.DeadLetter;
import io.impflow.schemas.avro.ModelHealth;
import io.impflow.schemas.avro.ModelUpdate;
import io.impflow.schemas.avro.ScoredEvent;
import io.impflow.schemas.serde.AvroSingleObjectSerializationSchema;
import io.impflow.schemas.serde.ConfluentSerializationSchema;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The production Kafka wiring of the job: a source of raw input records and four exactly-once sinks (scores, alerts,
 * dead letters, model health) writing single-object-encoded or schema-registry framed Avro, keyed by record id (dead letters by the original
 * key, model health by model version).
 */
public final class KafkaWiring {
  private final JobConfig config;

  /** Wiring for the brokers, topics and client properties of {@code config}. */
  public KafkaWiring(JobConfig config) {
    this.config = config;
  }

  /** The source of raw input records, starting where the configuration says and optionally bounded. */
  public KafkaSource<RawRecord> source() {
    KafkaSourceBuilder<RawRecord> builder = KafkaSource.<RawRecord>builder()
        .setBootstrapServers(config.bootstrapServers())
        .setTopics(config.inputTopic())
        .setGroupId(config.groupId())
        .setDeserializer(new RawRecordDeserializationSchema())
        .setProperties(clientProperties())
        // Only committed records of transactional producers are input.
        .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    switch (config.startingOffsets()) {
      case EARLIEST:
        builder.setStartingOffsets(OffsetsInitializer.earliest());
        break;
      case LATEST:
        builder.setStartingOffsets(OffsetsInitializer.latest());
        break;
      default:
        builder.setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST));
    }
    if (config.bounded()) {
      builder.setBounded(OffsetsInitializer.latest());
    }
    return builder.build();
  }

  /**
   * The source of model-update announcements, read from the latest offset (earlier announcements are history; after
   * a restore the checkpoint says which model was in use). Bounded like the input when {@code --bounded}.
   */
  public KafkaSource<ModelUpdate> modelUpdates() {
    String topic = config.modelUpdatesTopic().orElseThrow(() -> new IllegalStateException(
        "no --model-updates-topic configured"));
    KafkaSourceBuilder<ModelUpdate> builder = KafkaSource.<ModelUpdate>builder()
        .setBootstrapServers(config.bootstrapServers())
        .setTopics(topic)
        .setGroupId(config.groupId() + "-model-updates")
        .setDeserializer(new ModelUpdateDeserializationSchema())
        .setProperties(clientProperties())
        .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
        .setStartingOffsets(OffsetsInitializer.latest());
    if (config.bounded()) {
      builder.setBounded(OffsetsInitializer.latest());
    }
    return builder.build();
  }

  /** The exactly-once sink of scored events. */
  public KafkaSink<ScoredEvent> scores() {
    return sink(config.scoresTopic(), "scores", ScoredEvent.class, event -> utf8(event.getId()));
  }

  /** The exactly-once sink of alerts. */
  public KafkaSink<Alert> alerts() {
    return sink(config.alertsTopic(), "alerts", Alert.class, alert -> utf8(alert.getEvent().getId()));
  }

  /** The exactly-once sink of dead letters, keyed by the original record's key. */
  public KafkaSink<DeadLetter> deadLetters() {
    return sink(config.deadLettersTopic(), "dead-letters", DeadLetter.class, KafkaWiring::originalKey);
  }

  /** The exactly-once sink of model-health records, keyed by model version (one partition keeps a version's order). */
  public KafkaSink<ModelHealth> modelHealth() {
    return sink(config.modelHealthTopic(), "model-health", ModelHealth.class,
        health -> utf8(health.getModelVersion()));
  }

  private <T extends org.apache.avro.specific.SpecificRecord> KafkaSink<T> sink(String topic, String idSuffix,
      Class<T> recordClass, SerializationSchema<T> key) {
    Properties producer = clientProperties();
    producer.setProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
        Long.toString(config.transactionTimeoutMillis()));
    return KafkaSink.<T>builder()
        .setBootstrapServers(config.bootstrapServers())
        .setKafkaProducerConfig(producer)
        .setRecordSerializer(KafkaRecordSerializationSchema.<T>builder()
            .setTopic(topic)
            .setKeySerializationSchema(key)
            .setValueSerializationSchema(valueSchema(topic, recordClass))
            .build())
        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
        // One prefix per sink: transactional ids must not collide between the three sinks of one job.
        .setTransactionalIdPrefix(config.transactionalIdPrefix() + "-" + idSuffix)
        .build();
  }

  private <T extends org.apache.avro.specific.SpecificRecord> SerializationSchema<T> valueSchema(String topic,
      Class<T> recordClass) {
    if (config.outputEncoding() == OutputEncoding.CONFLUENT) {
      return new ConfluentSerializationSchema<>(recordClass, topic, config.registry().orElseThrow());
    }
    return new AvroSingleObjectSerializationSchema<>(recordClass);
  }

  private Properties clientProperties() {
    Properties properties = new Properties();
    properties.putAll(config.kafkaProperties());
    return properties;
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] originalKey(DeadLetter deadLetter) {
    ByteBuffer key = deadLetter.getKey();
    if (key == null) {
      return null;
    }
    byte[] bytes = new byte[key.remaining()];
    key.duplicate().get(bytes);
    return bytes;
  }
}
