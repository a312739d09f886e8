package io.impflow.trainer.data;

import io.impflow.schemas.avro.DeadLetterReason;
import io.impflow.schemas.avro.FeatureVector;
import io.impflow.schemas.serde.AvroDecodeException;
import io.impflow.schemas.registry.RegistrySettings;
import io.impflow.schemas.registry.RegistryUnavailableException;
import io.impflow.schemas.registry.SchemaRegistryClient;
import io.impflow.schemas.serde.AvroSingleObjectDeserializer;
import io.impflow.schemas.serde.ConfluentFraming;
import io.impflow.schemas.serde.FieldProjection;
import io.impflow.schemas.serde.RegistryDecoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A bounded window of a Kafka topic of single-object-encoded {@code FeatureVector} records, or of schema-registry
 * framed records (FeatureVector or any record with numeric feature fields) when the options name a registry: every
 * partition from
 * its start (or from the first record at or after a timestamp) up to the end offsets seen when reading starts,
 * read with {@code isolation.level=read_committed}. No consumer group offsets are committed.
 */
public final class KafkaWindowDataSource implements DataSource {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(KafkaWindowDataSource.class);

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
    if (options.registry() != null) {
      return readFramed();
    }
    String origin = origin();
    AvroSingleObjectDeserializer<FeatureVector> decoder = new AvroSingleObjectDeserializer<>(FeatureVector.class);
    RecordRowReader rowReader = RecordRowReader.forSchema(FeatureVector.getClassSchema(), options, origin);
    List<double[]> rows = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    consume(this::startOffset, (record, where) -> {
      FeatureVector value;
      try {
        value = decoder.deserialize(record.topic(), record.value());
      } catch (AvroDecodeException e) {
        throw new DataSourceException(where + ": cannot decode a FeatureVector (" + e.reason() + ": "
            + e.getMessage() + "); fix the producer, or start after it with --kafka-from-timestamp", e);
      }
      rowReader.read(value, where, rows, labels);
    });
    if (rows.isEmpty()) {
      throw new DataSourceException(origin + ": the window holds no records (topic empty"
          + (options.kafkaFromTimestampMs() == null ? "" : " after --kafka-from-timestamp") + ")");
    }
    return rowReader.toDataset(rows, labels, origin);
  }

  /**
   * Reads schema-registry framed records. The writer schema with the lowest registry id in the window (the oldest
   * version) says what the rows are, as {@link RecordRowReader} reads it, so that the features and their order do not
   * depend on which partition is read first; every other writer schema must hold the same feature fields.
   */
  private Dataset readFramed() throws DataSourceException {
    String origin = origin();
    RegistryDecoder<GenericRecord> decoder = new RegistryDecoder<>(new SchemaRegistryClient(options.registry()),
        GenericData.get(), writer -> writer, RegistryDecoder.DEFAULT_CACHE_SIZE);
    List<GenericRecord> records = new ArrayList<>();
    List<String> wheres = new ArrayList<>();
    Map<Schema, String> firstSeen = new java.util.IdentityHashMap<>();
    int[] oldestId = {Integer.MAX_VALUE};
    Schema[] oldest = {null};
    consume(this::startOffset, (record, where) -> {
      GenericRecord value;
      try {
        value = decoder.decode(record.value());
      } catch (AvroDecodeException e) {
        throw new DataSourceException(where + ": cannot decode a schema-registry framed record (" + e.reason()
            + ": " + e.getMessage() + "); fix the producer, or start after it with --kafka-from-timestamp", e);
      } catch (RegistryUnavailableException e) {
        throw new DataSourceException(where + ": " + e.getMessage() + "; check --schema-registry-url and that the"
            + " registry is up", e);
      }
      int id = ConfluentFraming.schemaId(record.value());
      if (id < oldestId[0]) {
        oldestId[0] = id;
        oldest[0] = value.getSchema();
      }
      firstSeen.putIfAbsent(value.getSchema(), where);
      records.add(value);
      wheres.add(where);
    });
    if (records.isEmpty()) {
      throw new DataSourceException(origin + ": the window holds no records (topic empty"
          + (options.kafkaFromTimestampMs() == null ? "" : " after --kafka-from-timestamp") + ")");
    }
    RecordRowReader rowReader = RecordRowReader.forSchema(oldest[0], options, origin + " (schema id "
        + oldestId[0] + ")");
    for (Map.Entry<Schema, String> schema : firstSeen.entrySet()) {
      if (schema.getKey() != oldest[0]) {
        rowReader.requireFeatures(schema.getKey(), schema.getValue());
      }
    }
    List<double[]> rows = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      rowReader.read(records.get(i), wheres.get(i), rows, labels);
    }
    return rowReader.toDataset(rows, labels, origin);
  }

  /**
   * Which records of the topic a retraining window holds: those with a timestamp at or after a start, or the newest
   * {@code lastRecords} across all partitions (by record timestamp).
   *
   * @param fromTimestampMs first record timestamp (epoch ms), or null
   * @param lastRecords the newest N records, or 0
   */
  public record Selection(Long fromTimestampMs, int lastRecords) {
    /** Exactly one of the two. */
    public Selection {
      if ((fromTimestampMs == null) == (lastRecords <= 0)) {
        throw new IllegalArgumentException("--window or --window-records: give exactly one");
      }
    }

    /** The records of the last {@code window} before {@code nowMs}. */
    public static Selection since(long nowMs, java.time.Duration window) {
      return new Selection(nowMs - window.toMillis(), 0);
    }

    /** The newest {@code n} records. */
    public static Selection newest(int n) {
      return new Selection(null, n);
    }
  }

  /**
   * A window of the input topic as the streaming job would see it: every record decoded and validated as the job
   * does (single-object FeatureVector, as many values as the model has features, every one finite), those that fail
   * skipped and counted by their dead-letter reason, the rest in record-timestamp order (oldest first).
   *
   * @param data the valid rows, oldest first, named by the model's features
   * @param timestamps each row's record timestamp (epoch ms)
   * @param skipped records skipped, by dead-letter reason
   */
  public record Window(Dataset data, long[] timestamps, Map<DeadLetterReason, Long> skipped) {
    /** Records skipped in all. */
    public long skippedCount() {
      return skipped.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /**
   * Reads the window {@code selection} describes, validating every record against {@code featureNames}.
   *
   * @throws DataSourceException if the broker or topic cannot be reached, or no record in the window is valid
   */
  public Window readWindow(Selection selection, List<String> featureNames) throws DataSourceException {
    RowDecoder decoder = rowDecoder(featureNames);
    List<Timed> valid = new ArrayList<>();
    Map<DeadLetterReason, Long> skipped = new java.util.EnumMap<>(DeadLetterReason.class);
    StartOffset start = selection.fromTimestampMs() != null
        ? (consumer, partition, end) -> startAt(consumer, partition, end, selection.fromTimestampMs())
        : (consumer, partition, end) ->
            Math.max(consumer.beginningOffsets(List.of(partition)).get(partition), end - selection.lastRecords());
    consume(start, (record, where) -> {
      DeadLetterReason reason = null;
      double[] row = null;
      try {
        if (record.value() == null) {
          reason = DeadLetterReason.MALFORMED_AVRO;
        } else {
          row = decoder.row(record);
          if (row == null) {
            reason = DeadLetterReason.NON_FINITE_VALUE;
          }
        }
      } catch (AvroDecodeException e) {
        reason = e.reason();
      } catch (FeatureRows.DimensionMismatch e) {
        reason = DeadLetterReason.DIMENSION_MISMATCH;
      } catch (RegistryUnavailableException e) {
        throw new DataSourceException(where + ": " + e.getMessage() + "; check --schema-registry-url and that the"
            + " registry is up", e);
      }
      if (reason != null) {
        skipped.merge(reason, 1L, Long::sum);
        LOG.debug("{}: skipped ({})", where, reason);
      } else {
        valid.add(new Timed(record.timestamp(), record.partition(), record.offset(), row));
      }
    });
    valid.sort(java.util.Comparator.comparingLong(Timed::timestamp).thenComparingInt(Timed::partition)
        .thenComparingLong(Timed::offset));
    List<Timed> kept = selection.lastRecords() > 0 && valid.size() > selection.lastRecords()
        ? valid.subList(valid.size() - selection.lastRecords(), valid.size()) : valid;
    if (kept.isEmpty()) {
      throw new DataSourceException(origin() + ": the window holds no valid records (" + skipped.values().stream()
          .mapToLong(Long::longValue).sum() + " skipped: " + skipped + "); check --window and the producer");
    }
    double[][] rows = kept.stream().map(Timed::row).toArray(double[][]::new);
    long[] timestamps = kept.stream().mapToLong(Timed::timestamp).toArray();
    String origin = origin() + " (" + (selection.fromTimestampMs() != null
        ? "records from " + java.time.Instant.ofEpochMilli(selection.fromTimestampMs())
        : "newest " + selection.lastRecords() + " records") + ")";
    return new Window(new Dataset(featureNames, rows, null, origin), timestamps, Map.copyOf(skipped));
  }

  private record Timed(long timestamp, int partition, long offset, double[] row) {}

  /** One record's feature row as the job would read it, or null when a value is not finite. */
  @FunctionalInterface
  private interface RowDecoder {
    double[] row(ConsumerRecord<byte[], byte[]> record) throws FeatureRows.DimensionMismatch;
  }

  /**
   * The job's reading of a record: single-object FeatureVector values; or, with a registry, a FeatureVector writer's
   * values or else the feature fields by name from each record's writer schema (a schema lacking one makes every
   * record of it MISSING_FEATURE).
   */
  private RowDecoder rowDecoder(List<String> featureNames) {
    if (options.registry() == null) {
      AvroSingleObjectDeserializer<FeatureVector> vectors = new AvroSingleObjectDeserializer<>(FeatureVector.class);
      return record -> FeatureRows.validated(vectors.deserialize(record.topic(), record.value()).getFeatures(),
          featureNames.size());
    }
    FieldProjection projection = new FieldProjection(featureNames, Optional.empty(), Optional.empty());
    Schema featureVector = FeatureVector.getClassSchema();
    RegistryDecoder<GenericRecord> framed = new RegistryDecoder<>(new SchemaRegistryClient(options.registry()),
        GenericData.get(), writer -> writer.getFullName().equals(featureVector.getFullName()) ? featureVector
            : projection.apply(writer), RegistryDecoder.DEFAULT_CACHE_SIZE);
    return record -> {
      GenericRecord value = framed.decode(record.value());
      if (value.getSchema() == featureVector) {
        @SuppressWarnings("unchecked")
        List<Double> features = (List<Double>) value.get("features");
        return FeatureRows.validated(features, featureNames.size());
      }
      return FeatureRows.validated(value, featureNames.size());
    };
  }

  /** Where a partition's part of the window starts, given its end offset. */
  @FunctionalInterface
  private interface StartOffset {
    long of(KafkaConsumer<byte[], byte[]> consumer, TopicPartition partition, long end);
  }

  /** What to do with one record of the window; {@code where} names its topic, partition and offset. */
  @FunctionalInterface
  private interface RecordHandler {
    void accept(ConsumerRecord<byte[], byte[]> record, String where) throws DataSourceException;
  }

  private String origin() {
    return SCHEME + bootstrapServers + "/" + topic;
  }

  /** Reads every partition from its start offset up to the end offsets seen now, read_committed. */
  private void consume(StartOffset startOffset, RecordHandler handler) throws DataSourceException {
    String origin = origin();
    Properties properties = new Properties();
    // The user's client settings (security) first; what makes this a bounded, uncommitted window wins over them.
    options.kafkaProperties().forEach((key, value) -> {
      if (!RegistrySettings.isRegistryKey(key)) {
        properties.put(key, value);
      }
    });
    properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    properties.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) options.kafkaPollTimeoutMs());
    properties.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "impflow-trainer");
    properties.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = partitions(consumer, origin);
      consumer.assign(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      Map<TopicPartition, Long> remaining = new HashMap<>();
      for (TopicPartition partition : partitions) {
        long start = startOffset.of(consumer, partition, end.get(partition));
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
          handler.accept(record, "topic " + topic + " partition " + record.partition() + " offset " + record.offset());
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
    return startAt(consumer, partition, end, options.kafkaFromTimestampMs());
  }

  private static long startAt(KafkaConsumer<byte[], byte[]> consumer, TopicPartition partition, long end,
      long timestampMs) {
    OffsetAndTimestamp found = consumer.offsetsForTimes(Map.of(partition, timestampMs)).get(partition);
    return found == null ? end : found.offset();
  }
}
