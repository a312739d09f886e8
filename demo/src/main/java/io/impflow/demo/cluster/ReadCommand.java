package io.impflow.demo.cluster;

import io.impflow.schemas.avro.Alert;
import io.impflow.schemas.avro.DeadLetter;
import io.impflow.schemas.avro.ScoredEvent;
import io.impflow.schemas.serde.SchemaStore;
import io.impflow.schemas.serde.SingleObjectCodec;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Prints committed job output (scores, alerts or dead letters) as one JSON object per line. */
@Command(name = "read", mixinStandardHelpOptions = true, usageHelpWidth = 110,
    description = "Prints the first --limit committed (read_committed) records of an output topic as JSON lines.",
    footer = {"", "Example:", "  read --bootstrap-servers kafka:9092 --topic alerts --limit 5"})
final class ReadCommand implements Callable<Integer> {
  /** What an output topic holds. */
  enum Kind { SCORES, ALERTS, DEAD_LETTERS }

  @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT,...", description = "Kafka cluster.")
  String bootstrapServers;

  @Option(names = "--topic", defaultValue = "scores", description = "Topic to read (default: ${DEFAULT-VALUE}).")
  String topic;

  @Option(names = "--kind", paramLabel = "KIND",
      description = "What the topic holds: ${COMPLETION-CANDIDATES} (default: from the topic's name).")
  Kind kind;

  @Option(names = "--limit", defaultValue = "10", paramLabel = "N",
      description = "Records to print (default: ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = "--timeout", defaultValue = "30", paramLabel = "SECONDS",
      description = "Stop waiting for more records after this long (default: ${DEFAULT-VALUE}).")
  long timeoutSeconds;

  @Override
  public Integer call() {
    Kind what = kind != null ? kind : switch (topic) {
      case "alerts" -> Kind.ALERTS;
      case "dead-letters" -> Kind.DEAD_LETTERS;
      case "scores" -> Kind.SCORES;
      default -> null;
    };
    if (what == null) {
      System.err.println("error: say with --kind what topic '" + topic + "' holds (scores, alerts, dead_letters)");
      return 2;
    }
    SingleObjectCodec<?> codec = switch (what) {
      case SCORES -> SingleObjectCodec.forSpecific(ScoredEvent.class, SchemaStore.withGeneratedSchemas());
      case ALERTS -> SingleObjectCodec.forSpecific(Alert.class, SchemaStore.withGeneratedSchemas());
      case DEAD_LETTERS -> SingleObjectCodec.forSpecific(DeadLetter.class, SchemaStore.withGeneratedSchemas());
    };
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    int printed = 0;
    try (CommittedTopics reader = new CommittedTopics(bootstrapServers, List.of(topic))) {
      while (printed < limit && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : reader.poll()) {
          if (printed++ < limit) {
            System.out.println(codec.decode(record.value()));
          }
        }
      }
    }
    return 0;
  }
}
