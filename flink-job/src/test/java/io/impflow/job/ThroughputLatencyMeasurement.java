package io.impflow.job;

import io.impflow.job.config.JobConfig;
import io.impflow.job.sink.KafkaWiring;
import io.impflow.model.DensityModel;
import io.impflow.schemas.avro.FeatureVector;
import io.impflow.schemas.avro.ScoredEvent;
import io.impflow.schemas.serde.SchemaStore;
import io.impflow.schemas.serde.SingleObjectCodec;
import io.impflow.testkit.kafka.KafkaCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Measures the job on this machine (a note for the README, not a test): sustained records/s through the job and
 * end-to-end latency percentiles, produce → sink write (the scores record's Kafka timestamp) and produce →
 * visible to a read_committed consumer.
 *
 * <p>Arguments: {@code RECORDS RATE_PER_S CHECKPOINT_INTERVAL [MODEL_DIR]}; without a model directory a small
 * random-weight test model is written. Input rows are the model's own samples. One warm-up record goes through
 * first, so job start-up is not counted. Starts its own broker process and an embedded MiniCluster.
 */
public final class ThroughputLatencyMeasurement {
  private ThroughputLatencyMeasurement() {}

  /** Runs one measurement and prints the numbers. */
  public static void main(String[] args) throws Exception {
    int records = Integer.parseInt(args[0]);
    int rate = Integer.parseInt(args[1]);
    String checkpointInterval = args[2];
    Path work = Files.createTempDirectory("impflow-measure");
    Path model = args.length > 3 ? Path.of(args[3]) : TestModels.writeCalibratedModel(work, 1);
    try (KafkaCluster kafka = KafkaCluster.start()) {
      kafka.createTopics(1, "events", "scores", "alerts", "dead-letters");
      JobConfig config = JobConfig.parse("--model", model.toString(), "--bootstrap-servers",
          kafka.bootstrapServers(), "--starting-offsets", "earliest", "--checkpoint-interval", checkpointInterval,
          "--group-id", "measure-" + UUID.randomUUID(), "--transactional-id-prefix", "measure-" + UUID.randomUUID());
      KafkaWiring wiring = new KafkaWiring(config);
      AnomalyDetectionJob job = new AnomalyDetectionJob(config, wiring.source(), wiring.scores(), wiring.alerts(),
          wiring.deadLetters());
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
      job.build(env);
      JobClient client = env.executeAsync("impflow measurement");
      try (KafkaConsumer<byte[], byte[]> consumer =
          new KafkaConsumer<>(kafka.consumerProperties("measure-reader-" + UUID.randomUUID()))) {
        TopicPartition scores = new TopicPartition("scores", 0);
        consumer.assign(List.of(scores));
        consumer.seekToBeginning(List.of(scores));
        double[][] rows;
        try (DensityModel sampler = DensityModel.load(model)) {
          rows = sampler.sample(10_000, 5);
        }
        SingleObjectCodec<ScoredEvent> codec =
            SingleObjectCodec.forSpecific(ScoredEvent.class, SchemaStore.withGeneratedSchemas());
        // Warm up: wait until one record has gone all the way through, so start-up is not counted as latency.
        produce(kafka, 1, rate, rows);
        while (consumer.poll(Duration.ofMillis(100)).isEmpty()) {
          Thread.onSpinWait();
        }
        Thread producer = new Thread(() -> produce(kafka, records, rate, rows), "measurement-producer");
        producer.start();
        long[] toSinkWrite = new long[records];
        long[] toVisible = new long[records];
        int seen = 0;
        long firstVisible = 0;
        long lastVisible = 0;
        long firstWrite = Long.MAX_VALUE;
        long lastWrite = Long.MIN_VALUE;
        long deadline = System.currentTimeMillis() + Duration.ofMinutes(10).toMillis();
        while (seen < records && System.currentTimeMillis() < deadline) {
          for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(50))) {
            long now = System.currentTimeMillis();
            long produced = codec.decode(record.value()).getTimestamp().toEpochMilli();
            toSinkWrite[seen] = record.timestamp() - produced;
            firstWrite = Math.min(firstWrite, record.timestamp());
            lastWrite = Math.max(lastWrite, record.timestamp());
            toVisible[seen] = now - produced;
            firstVisible = seen == 0 ? now : firstVisible;
            lastVisible = now;
            seen++;
          }
        }
        producer.join();
        long[] sink = Arrays.copyOf(toSinkWrite, seen);
        long[] visible = Arrays.copyOf(toVisible, seen);
        Arrays.sort(sink);
        Arrays.sort(visible);
        System.out.printf("records=%d offered=%d/s checkpoint=%s model=%s%n", seen, rate, checkpointInterval,
            job.modelVersion());
        System.out.printf("sustained: %.0f records/s scored (first to last sink write), %.0f records/s visible"
            + " (first to last read_committed)%n", seen * 1000.0 / Math.max(1, lastWrite - firstWrite),
            seen * 1000.0 / Math.max(1, lastVisible - firstVisible));
        System.out.printf("produce->sink write ms: p50=%d p99=%d max=%d%n", pct(sink, 50), pct(sink, 99),
            sink[sink.length - 1]);
        System.out.printf("produce->read_committed ms: p50=%d p99=%d max=%d%n", pct(visible, 50), pct(visible, 99),
            visible[visible.length - 1]);
      } finally {
        client.cancel().get();
      }
    }
  }

  /** Produces {@code records} rows (cycling through the model's own samples) at {@code rate} per second. */
  private static void produce(KafkaCluster kafka, int records, int rate, double[][] rows) {
    SingleObjectCodec<FeatureVector> codec =
        SingleObjectCodec.forSpecific(FeatureVector.class, SchemaStore.withGeneratedSchemas());
    long start = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
      for (int i = 0; i < records; i++) {
        long due = start + (long) (i * 1e9 / rate);
        while (System.nanoTime() < due) {
          Thread.onSpinWait();
        }
        double[] row = rows[i % rows.length];
        FeatureVector vector = FeatureVector.newBuilder().setId("m" + i).setTimestamp(Instant.now())
            .setFeatures(Arrays.stream(row).boxed().collect(Collectors.toList())).build();
        producer.send(new ProducerRecord<>("events", codec.encode(vector)));
      }
    }
  }

  private static long pct(long[] sorted, int percentile) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(percentile / 100.0 * sorted.length) - 1)];
  }
}
