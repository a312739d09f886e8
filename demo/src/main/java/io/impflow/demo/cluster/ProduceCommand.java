package io.impflow.demo.cluster;

import io.impflow.demo.ExternalKafkaCluster;
import io.impflow.demo.MalformedKind;
import io.impflow.schemas.avro.FeatureVector;
import io.impflow.schemas.serde.SchemaStore;
import io.impflow.schemas.serde.SingleObjectCodec;
import io.impflow.trainer.data.CsvDataSource;
import io.impflow.trainer.data.DataReadOptions;
import io.impflow.trainer.data.DataSourceException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Writes a seeded load of FeatureVector records drawn from a CSV file, with one malformed record (of every
 * {@link MalformedKind} in turn) in each {@code --malformed-every} records and, with {@code --tail-every}, one valid
 * row moved far into the tail in each such number, at a steady rate. The producer is idempotent with a long delivery
 * timeout, so a broker restart mid-stream neither loses nor duplicates a record.
 */
@Command(name = "produce", mixinStandardHelpOptions = true, usageHelpWidth = 110,
    description = "Writes --records records to --topic: rows of --data, with malformed records mixed in.",
    footer = {"", "Example:", "  produce --bootstrap-servers kafka:9092 --data /opt/impflow/datasets/shuttle.csv"
        + " --records 20000 --malformed-every 100 --rate 500"})
final class ProduceCommand implements Callable<Integer> {
  private static final long PROGRESS_EVERY = 5_000;

  @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT,...", description = "Kafka cluster.")
  String bootstrapServers;

  @Option(names = "--topic", defaultValue = "events", description = "Input topic (default: ${DEFAULT-VALUE}).")
  String topic;

  @Option(names = "--data", required = true, paramLabel = "FILE.csv",
      description = "Rows to send: a CSV with the model's feature columns (a label column 'y' is ignored).")
  Path data;

  @Option(names = "--records", defaultValue = "20000", paramLabel = "N",
      description = "Records to write (default: ${DEFAULT-VALUE}).")
  int records;

  @Option(names = "--malformed-every", defaultValue = "100", paramLabel = "K",
      description = "One malformed record in every K; 0 = none (default: ${DEFAULT-VALUE}).")
  int malformedEvery;

  @Option(names = "--rate", defaultValue = "500", paramLabel = "N",
      description = "Records per second; 0 = as fast as possible (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--tail-every", defaultValue = "0", paramLabel = "K",
      description = "One valid row in every K moved far into the tail: each feature's distance from the data's mean"
          + " multiplied by --tail-factor, so |log p| reaches the thousands; 0 = none (default: ${DEFAULT-VALUE}).")
  int tailEvery;

  @Option(names = "--tail-factor", defaultValue = "25", paramLabel = "F",
      description = "How far the --tail-every rows are moved (default: ${DEFAULT-VALUE}).")
  double tailFactor;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the row draws (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--first-index", defaultValue = "0", paramLabel = "N",
      description = "Number of the first record (its key, e.g. eN); a later load into the same topic starts after"
          + " the earlier one, so verify sees every key once (default: ${DEFAULT-VALUE}).")
  int firstIndex;

  @Override
  public Integer call() throws InterruptedException {
    if (records < 1 || malformedEvery < 0 || rate < 0 || tailEvery < 0 || !(tailFactor >= 1) || firstIndex < 0) {
      System.err.println("error: --records must be >= 1, --malformed-every >= 0, --rate >= 0, --tail-every >= 0 and"
          + " --tail-factor >= 1, --first-index >= 0; got " + records + ", " + malformedEvery + ", " + rate + ", "
          + tailEvery + ", " + tailFactor + ", " + firstIndex);
      return 2;
    }
    double[][] rows;
    try {
      rows = new CsvDataSource(data, DataReadOptions.defaults()).read().rows();
    } catch (DataSourceException e) {
      System.err.println("error: --data " + data + ": " + e.getMessage());
      return 2;
    }
    SingleObjectCodec<FeatureVector> codec =
        SingleObjectCodec.forSpecific(FeatureVector.class, SchemaStore.withGeneratedSchemas());
    Properties properties = new ExternalKafkaCluster(bootstrapServers).producerProperties();
    properties.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    // A broker restart takes seconds to tens of seconds on a busy machine; retries ride it out.
    properties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "600000");
    properties.put(ProducerConfig.CLIENT_ID_CONFIG, "impflow-cluster-check-produce");
    Random random = new Random(seed);
    MalformedKind[] kinds = MalformedKind.values();
    AtomicLong acknowledged = new AtomicLong();
    AtomicReference<Exception> failure = new AtomicReference<>();
    double[] mean = columnMeans(rows);
    int malformed = 0;
    int tail = 0;
    long start = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(properties)) {
      for (int n = 0; n < records && failure.get() == null; n++) {
        pace(start, n);
        int i = firstIndex + n;
        double[] row = rows[random.nextInt(rows.length)];
        Instant now = Instant.now();
        String key;
        byte[] value;
        if (malformedEvery > 0 && i % malformedEvery == malformedEvery / 2) {
          MalformedKind kind = kinds[(i / malformedEvery) % kinds.length];
          key = LoadKeys.malformed(i, kind);
          value = kind.value(key, row, now, codec::encode);
          malformed++;
        } else {
          key = LoadKeys.valid(i);
          if (tailEvery > 0 && i % tailEvery == 0) {
            row = intoTheTail(row, mean, tailFactor);
            tail++;
          }
          value = codec.encode(MalformedKind.vector(key, row, now));
        }
        producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value), (metadata, error) -> {
          if (error != null) {
            failure.compareAndSet(null, error);
          } else if (acknowledged.incrementAndGet() % PROGRESS_EVERY == 0) {
            System.out.printf("produce: %d records acknowledged after %.1f s%n", acknowledged.get(),
                (System.nanoTime() - start) / 1e9);
          }
        });
      }
      producer.flush();
    }
    if (failure.get() != null) {
      System.err.println("error: writing to " + topic + " on " + bootstrapServers + " failed after "
          + acknowledged.get() + " acknowledged records: " + failure.get());
      return 1;
    }
    System.out.printf("produce: %d records (%d malformed, %d moved into the tail) written to %s in %.1f s%n",
        acknowledged.get(), malformed, tail, topic, (System.nanoTime() - start) / 1e9);
    return 0;
  }

  /** mean + factor * (row - mean), feature by feature: the same direction from the data's centre, farther out. */
  static double[] intoTheTail(double[] row, double[] mean, double factor) {
    double[] moved = new double[row.length];
    for (int j = 0; j < row.length; j++) {
      moved[j] = mean[j] + factor * (row[j] - mean[j]);
    }
    return moved;
  }

  private static double[] columnMeans(double[][] rows) {
    double[] mean = new double[rows[0].length];
    for (double[] row : rows) {
      for (int j = 0; j < mean.length; j++) {
        mean[j] += row[j] / rows.length;
      }
    }
    return mean;
  }

  private void pace(long start, int index) throws InterruptedException {
    if (rate > 0) {
      long wait = start + (long) (index * 1e9 / rate) - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
    }
  }
}
