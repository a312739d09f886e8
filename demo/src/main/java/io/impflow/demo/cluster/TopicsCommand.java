package io.impflow.demo.cluster;

import io.impflow.demo.ExternalKafkaCluster;
import io.impflow.testkit.kafka.KafkaCluster;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Creates the topics that are missing, waiting for the broker to come up, then for every partition's leader. */
@Command(name = "topics", mixinStandardHelpOptions = true, usageHelpWidth = 110,
    description = "Creates missing topics (replication factor 1) and waits until every partition has a leader.",
    footer = {"", "Example:", "  topics --bootstrap-servers kafka:9092 events:2 scores alerts dead-letters"})
final class TopicsCommand implements Callable<Integer> {
  @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT,...", description = "Kafka cluster.")
  String bootstrapServers;

  @Option(names = "--timeout", defaultValue = "180", paramLabel = "SECONDS",
      description = "How long to wait for the broker to answer (default: ${DEFAULT-VALUE}).")
  long timeoutSeconds;

  @Parameters(arity = "1..*", paramLabel = "TOPIC[:PARTITIONS]", description = "Topics; 1 partition by default.")
  List<String> topics;

  @Override
  public Integer call() throws InterruptedException {
    Map<String, Integer> wanted = new LinkedHashMap<>();
    for (String topic : topics) {
      String[] parts = topic.split(":", 2);
      int partitions;
      try {
        partitions = parts.length == 1 ? 1 : Integer.parseInt(parts[1]);
      } catch (NumberFormatException e) {
        partitions = 0;
      }
      if (parts[0].isBlank() || partitions < 1) {
        System.err.println("error: topic '" + topic + "' must be NAME or NAME:PARTITIONS with PARTITIONS >= 1");
        return 2;
      }
      wanted.put(parts[0], partitions);
    }
    Set<String> existing = existingTopics();
    if (existing == null) {
      return 1;
    }
    KafkaCluster cluster = new ExternalKafkaCluster(bootstrapServers);
    List<String> created = new ArrayList<>();
    for (Map.Entry<String, Integer> topic : wanted.entrySet()) {
      if (!existing.contains(topic.getKey())) {
        cluster.createTopics(topic.getValue(), topic.getKey());
        created.add(topic.getKey() + ":" + topic.getValue());
      }
    }
    System.out.println("topics on " + bootstrapServers + ": created " + created + ", already there "
        + wanted.keySet().stream().filter(existing::contains).toList());
    return 0;
  }

  /** The topic names, once the broker answers; null (after saying why) when it does not within the timeout. */
  private Set<String> existingTopics() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    Map<String, Object> settings = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000);
    try (Admin admin = Admin.create(settings)) {
      while (true) {
        try {
          return admin.listTopics().names().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
          if (System.nanoTime() > deadline) {
            System.err.println("error: the Kafka cluster at " + bootstrapServers + " did not answer within "
                + timeoutSeconds + " s (" + (e.getCause() == null ? e : e.getCause()) + "); check that it is up");
            return null;
          }
          TimeUnit.SECONDS.sleep(1);
        }
      }
    }
  }
}
