package io.impflow.trainer.retrain;

import io.impflow.schemas.avro.ModelHealth;
import io.impflow.schemas.serde.AvroDecodeException;
import io.impflow.schemas.serde.AvroSingleObjectDeserializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the job's {@code ModelHealth} records from the health topic as they arrive (consumer group
 * {@code impflow-retrain} unless {@code group.id} is given; a new group starts at the end of the topic), skipping
 * and logging records that do not decode.
 */
public final class HealthTopicWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HealthTopicWatch.class);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final AvroSingleObjectDeserializer<ModelHealth> decoder =
      new AvroSingleObjectDeserializer<>(ModelHealth.class);

  /** A watch of {@code topic}. */
  public HealthTopicWatch(String bootstrapServers, Map<String, String> kafkaProperties, String topic) {
    Properties properties = new Properties();
    properties.putAll(kafkaProperties);
    properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    properties.putIfAbsent(ConsumerConfig.GROUP_ID_CONFIG, "impflow-retrain");
    properties.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(topic));
  }

  /** The records that arrive within {@code timeout}. */
  public List<ModelHealth> poll(Duration timeout) {
    List<ModelHealth> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(timeout)) {
      try {
        out.add(decoder.deserialize(record.topic(), record.value()));
      } catch (AvroDecodeException e) {
        LOG.warn("health topic {} partition {} offset {}: not a ModelHealth record ({}); skipped", record.topic(),
            record.partition(), record.offset(), e.getMessage());
      }
    }
    return out;
  }

  @Override
  public void close() {
    consumer.close();
  }
}
