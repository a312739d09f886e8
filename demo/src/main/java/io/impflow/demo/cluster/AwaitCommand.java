package io.impflow.demo.cluster;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Waits until a topic holds at least a number of committed records: how a failure test times its faults. */
@Command(name = "await", mixinStandardHelpOptions = true, usageHelpWidth = 110,
    description = "Waits until --topic holds at least --records committed (read_committed) records.")
final class AwaitCommand implements Callable<Integer> {
  @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT,...", description = "Kafka cluster.")
  String bootstrapServers;

  @Option(names = "--topic", defaultValue = "scores", description = "Topic to count (default: ${DEFAULT-VALUE}).")
  String topic;

  @Option(names = "--records", required = true, paramLabel = "N", description = "Committed records to wait for.")
  long records;

  @Option(names = "--timeout", defaultValue = "300", paramLabel = "SECONDS",
      description = "Give up after this long (default: ${DEFAULT-VALUE}).")
  long timeoutSeconds;

  @Override
  public Integer call() {
    long start = System.nanoTime();
    long deadline = start + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    long seen = 0;
    try (CommittedTopics reader = new CommittedTopics(bootstrapServers, List.of(topic))) {
      while (seen < records) {
        if (System.nanoTime() > deadline) {
          System.err.println("error: only " + seen + " of " + records + " committed records in " + topic + " after "
              + timeoutSeconds + " s; is the job running (flink list -r)?");
          return 1;
        }
        for (ConsumerRecord<byte[], byte[]> ignored : reader.poll()) {
          seen++;
        }
      }
    }
    System.out.printf("await: %d committed records in %s after %.1f s%n", seen, topic,
        (System.nanoTime() - start) / 1e9);
    return 0;
  }
}
