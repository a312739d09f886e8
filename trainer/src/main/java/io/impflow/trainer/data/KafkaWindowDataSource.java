package io.impflow.trainer.data;

import io.impflow.schemas.avro.FeatureVector;
import io.impflow.schemas.serde.AvroDecodeException;
import io.impflow.schemas.serde.AvroSingleObjectDeserializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A bounded window of a Kafka topic of single-object-encoded {@code FeatureVector} records: every partition from
 * its start (or from the first record at or after a timestamp) up to the end offsets seen when reading starts,
 * read with {@code isolation.level=read_committed}. No consumer group offsets are committed.
 */
public final class KafkaWindowDataSource implements DataSource {

  /** The URI scheme of Kafka sources: {@code kafka://HOST:PORT[,HOST:PORT]/TOPIC}. */
  public static final String SCHEME = "kafka://";

  private final String bootstrapServers;
  private final String topic;
  private final DataReadOptions options;

  /** The window of {@code topic} on the cluster at {@code bootstrapServers}. */
  public KafkaWindowDataSource(String bootstrapServers, String topic, DataReadOptions options) {
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
    this.options = options;
  }

  static KafkaWindowDataSource parse(String spec, DataReadOptions options) throws DataSourceException {
    String rest = spec.substring(SCHEME.length());
    int slash = rest.indexOf('/');
    if (slash <= 0 || slash == rest.length() - 1 || rest.indexOf('/', slash + 1) >= 0) {
      throw new DataSourceException("--data " + spec + " is not kafka://HOST:PORT[,HOST:PORT]/TOPIC");
    }
    return new KafkaWindowDataSource(rest.substring(0, slash), rest.substring(slash + 1), options);
  }

  @Override
  public Dataset read() throws DataSourceException {
    String origin = SCHEME + bootstrapServers + "/" + topic;
    Properties properties = new Properties();
    // The user's client settings (security) first; what makes this a bounded, uncommitted window wins over them.
    properties.putAll(options.kafkaProperties());
    properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    properties.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) options.kafkaPollTimeoutMs());
    properties.put(ConsumerConfig.CLIENT_ID_CONFIG, "impflow-trainer");
    properties.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    AvroSingleObjectDeserializer<FeatureVector> decoder = new AvroSingleObjectDeserializer<>(FeatureVector.class);
    RecordRowReader rowReader = RecordRowReader.forSchema(FeatureVector.getClassSchema(), options, origin);
    List<double[]> rows = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = partitions(consumer, origin);
      consumer.assign(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      Map<TopicPartition, Long> remaining = new HashMap<>();
      for (TopicPartition partition : partitions) {
        long start = startOffset(consumer, partition, end.get(partition));
        consumer.seek(partition, start);
        if (start < end.get(partition)) {
          remaining.put(partition, end.get(partition));
        }
      }
      long lastProgress = System.nanoTime();
      while (!remaining.isEmpty()) {
        var records = consumer.poll(Duration.ofMillis(200));
        for (ConsumerRecord<byte[], byte[]> record : records) {
          TopicPartition partition = new TopicPartition(record.topic(), record.partition());
          Long stop = remaining.get(partition);
          if (stop == null || record.offset() >= stop) {
            continue;
          }
          String where = "topic " + topic + " partition " + record.partition() + " offset " + record.offset();
          FeatureVector value;
          try {
            value = decoder.deserialize(record.topic(), record.value());
          } catch (AvroDecodeException e) {
            throw new DataSourceException(where + ": cannot decode a FeatureVector (" + e.reason() + ": "
                + e.getMessage() + "); fix the producer, or start after it with --kafka-from-timestamp", e);
          }
          rowReader.read(value, where, rows, labels);
        }
        for (TopicPartition partition : List.copyOf(remaining.keySet())) {
          if (consumer.position(partition) >= remaining.get(partition)) {
            remaining.remove(partition);
          }
        }
        if (!records.isEmpty()) {
          lastProgress = System.nanoTime();
        } else if (System.nanoTime() - lastProgress > options.kafkaPollTimeoutMs() * 1_000_000L) {
          throw new DataSourceException(origin + ": no records arrived for " + options.kafkaPollTimeoutMs()
              + " ms while partitions " + remaining.keySet() + " still had records before their end offsets;"
              + " check that the broker is reachable");
        }
      }
    } catch (KafkaException e) {
      throw new DataSourceException(origin + ": Kafka error (" + e.getMessage() + "); check the bootstrap"
          + " servers and the topic name", e);
    }
    if (rows.isEmpty()) {
      throw new DataSourceException(origin + ": the window holds no records (topic empty"
          + (options.kafkaFromTimestampMs() == null ? "" : " after --kafka-from-timestamp") + ")");
    }
    return rowReader.toDataset(rows, labels, origin);
  }

  private List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer, String origin)
      throws DataSourceException {
    List<PartitionInfo> infos;
    try {
      infos = consumer.partitionsFor(topic);
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      throw new DataSourceException(origin + ": could not reach the cluster within "
          + options.kafkaPollTimeoutMs() + " ms; check the bootstrap servers", e);
    }
    if (infos == null || infos.isEmpty()) {
      throw new DataSourceException(origin + ": topic '" + topic + "' does not exist; check the topic name");
    }
    return infos.stream().map(info -> new TopicPartition(info.topic(), info.partition())).toList();
  }

  private long startOffset(KafkaConsumer<byte[], byte[]> consumer, TopicPartition partition, long end) {
    if (options.kafkaFromTimestampMs() == null) {
      return consumer.beginningOffsets(List.of(partition)).get(partition);
    }
    OffsetAndTimestamp found =
        consumer.offsetsForTimes(Map.of(partition, options.kafkaFromTimestampMs())).get(partition);
    return found == null ? end : found.offset();
  }
}
