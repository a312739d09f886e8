package io.impflow.job.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.impflow.job.TestModels;
import io.impflow.schemas.avro.DeadLetterReason;
import io.impflow.schemas.avro.FeatureVector;
import io.impflow.schemas.avro.SourcePosition;
import io.impflow.schemas.serde.SchemaStore;
import io.impflow.schemas.serde.SingleObjectCodec;
import io.impflow.testkit.kafka.KafkaCluster;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The input records of a cluster test: mostly normal rows, one anomaly and one broken record in every hundred, and
 * optionally one pathological row in every ten (extreme magnitudes, subnormals, −0.0, a huge dimension mismatch);
 * and a producer that sends them at a steady pace while the test breaks things.
 */
final class StreamInput {
  /** Features of the huge-dimension-mismatch records: far more than any model has. */
  static final int HUGE_DIMENSION = 10_000;

  /** The ways a record is broken before it reaches the model, and the dead-letter reason each must get. */
  enum Defect {
    TRUNCATED(DeadLetterReason.MALFORMED_AVRO),
    NOT_AVRO(DeadLetterReason.MALFORMED_AVRO),
    UNKNOWN_FINGERPRINT(DeadLetterReason.UNKNOWN_SCHEMA),
    NOT_A_NUMBER(DeadLetterReason.NON_FINITE_VALUE),
    ONE_FEATURE_SHORT(DeadLetterReason.DIMENSION_MISMATCH),
    HUGE_DIMENSION_MISMATCH(DeadLetterReason.DIMENSION_MISMATCH);

    final DeadLetterReason reason;

    Defect(DeadLetterReason reason) {
      this.reason = reason;
    }

    byte[] apply(byte[] valid, double[] row, String id, SingleObjectCodec<FeatureVector> codec) {
      switch (this) {
        case TRUNCATED:
          return Arrays.copyOf(valid, valid.length / 2);
        case NOT_AVRO:
          return ("not avro: " + id).getBytes(StandardCharsets.UTF_8);
        case UNKNOWN_FINGERPRINT:
          byte[] other = valid.clone();
          other[5] ^= 0x3c;
          return other;
        case NOT_A_NUMBER:
          double[] nan = row.clone();
          nan[1] = Double.NaN;
          return codec.encode(vector(id, nan));
        case ONE_FEATURE_SHORT:
          return codec.encode(vector(id, Arrays.copyOf(row, row.length - 1)));
        default:
          double[] huge = new double[HUGE_DIMENSION];
          Arrays.fill(huge, 1e300);
          return codec.encode(vector(id, huge));
      }
    }
  }

  /** Well-formed rows that are hard on the solver; the model decides whether each is scored or dead-lettered. */
  private static final double[][] EXTREME_ROWS = {
      {1e300, -1e300, 1e300, -1e300},
      {21.0, 0.45, 1e300, 50.0},
      {Double.MAX_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, Double.MAX_VALUE},
      {Double.MIN_VALUE, Double.MIN_VALUE, Double.MIN_VALUE, Double.MIN_VALUE},
      {2.2250738585072014E-309, -4.9e-324, 1e-310, 0.0},
      {-0.0, -0.0, -0.0, -0.0},
      {21.0, -0.0, 1013.0, -0.0},
      {-1e-300, 1e-300, -1e150, 1e150},
  };

  final int records;
  final double[][] rows;
  final Defect[] defects;
  /** Whether a well-formed row is one of the extreme rows (model-level pathological input). */
  final boolean[] extreme;
  final byte[][] values;
  private final AtomicInteger sent = new AtomicInteger();

  private StreamInput(int records) {
    this.records = records;
    this.rows = new double[records][];
    this.defects = new Defect[records];
    this.extreme = new boolean[records];
    this.values = new byte[records][];
  }

  /**
   * Generates the records: an anomaly at {@code i % 100 == 7}, a broken record at {@code i % 100 == 50} (the defects
   * in turn), and with {@code pathological} an extreme row or a huge dimension mismatch at {@code i % 10 == 3}.
   */
  static StreamInput generate(int records, Random random, boolean pathological) {
    SingleObjectCodec<FeatureVector> codec =
        SingleObjectCodec.forSpecific(FeatureVector.class, SchemaStore.withGeneratedSchemas());
    StreamInput input = new StreamInput(records);
    Defect[] defects = Arrays.copyOf(Defect.values(), Defect.values().length - 1);
    int extremes = 0;
    for (int i = 0; i < records; i++) {
      input.rows[i] = i % 100 == 7 ? TestModels.anomalousRow(random) : TestModels.normalRow(random);
      if (i % 100 == 50) {
        input.defects[i] = defects[(i / 100) % defects.length];
      } else if (pathological && i % 10 == 3) {
        int kind = extremes++ % (EXTREME_ROWS.length + 1);
        if (kind == EXTREME_ROWS.length) {
          input.defects[i] = Defect.HUGE_DIMENSION_MISMATCH;
        } else {
          input.rows[i] = EXTREME_ROWS[kind].clone();
          input.extreme[i] = true;
        }
      }
      byte[] valid = codec.encode(vector(id(i), input.rows[i]));
      input.values[i] = input.defects[i] == null ? valid : input.defects[i].apply(valid, input.rows[i], id(i), codec);
    }
    return input;
  }

  /** Records broken before the model (malformed, non-finite, wrong dimension): each must be dead-lettered. */
  int broken() {
    return (int) Arrays.stream(defects).filter(d -> d != null).count();
  }

  /** Records sent so far. */
  int sent() {
    return sent.get();
  }

  /**
   * Sends every record to {@code topic}, {@code perSecond} at a steady pace, on a thread of its own. The producer
   * waits out a broker outage of up to 10 minutes (idempotent, so its retries duplicate nothing).
   *
   * @return the broker's acknowledgement of each record, by index
   */
  CompletableFuture<AtomicReferenceArray<RecordMetadata>> produceAtSteadyPace(KafkaCluster kafka, String topic,
      int perSecond) {
    return CompletableFuture.supplyAsync(() -> {
      AtomicReferenceArray<RecordMetadata> written = new AtomicReferenceArray<>(records);
      Properties properties = kafka.producerProperties();
      properties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "600000");
      properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "600000");
      properties.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "4194304");
      long begin = System.nanoTime();
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(properties)) {
        for (int i = 0; i < records; i++) {
          long wait = begin + TimeUnit.SECONDS.toNanos(i) / perSecond - System.nanoTime();
          if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
          }
          int index = i;
          producer.send(new ProducerRecord<>(topic, id(i).getBytes(StandardCharsets.UTF_8), values[i]),
              (metadata, error) -> written.set(index, error == null ? metadata : null));
          sent.incrementAndGet();
        }
        producer.flush();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while producing to " + topic, e);
      }
      return written;
    }, runnable -> new Thread(runnable, "cluster-it-producer-" + topic).start());
  }

  /** The input index of each record by where the broker wrote it; every record must have been acknowledged. */
  Map<SourcePosition, Integer> indexByPosition(AtomicReferenceArray<RecordMetadata> written) {
    Map<SourcePosition, Integer> indexAt = new HashMap<>();
    for (int i = 0; i < records; i++) {
      RecordMetadata metadata = written.get(i);
      assertThat(metadata).as("record %s acknowledged by the broker", id(i)).isNotNull();
      indexAt.put(new SourcePosition(metadata.topic(), metadata.partition(), metadata.offset()), i);
    }
    return indexAt;
  }

  static FeatureVector vector(String id, double[] features) {
    return FeatureVector.newBuilder().setId(id).setTimestamp(Instant.ofEpochMilli(1_700_000_000_000L))
        .setFeatures(Arrays.stream(features).boxed().collect(Collectors.toList())).build();
  }

  static String id(int i) {
    return "e" + i;
  }
}
