package io.impflow.demo;

import io.impflow.testkit.kafka.KafkaCluster;
import io.impflow.testkit.kafka.KafkaClusterException;
import io.impflow.testkit.kafka.KafkaProcessCluster;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The demo's Kafka: a local KRaft broker process (the testkit's process backend) in a temporary directory, or an
 * existing cluster; creates the demo's topics and answers offset and lag questions.
 */
public final class DemoKafka implements AutoCloseable {
  /** Input records. */
  public static final String EVENTS = "events";
  /** One ScoredEvent per scored record. */
  public static final String SCORES = "scores";
  /** One Alert per anomaly. */
  public static final String ALERTS = "alerts";
  /** One DeadLetter per record that cannot be scored. */
  public static final String DEAD_LETTERS = "dead-letters";
  /** Every topic the demo uses. */
  public static final List<String> TOPICS = List.of(EVENTS, SCORES, ALERTS, DEAD_LETTERS);

  private static final long ADMIN_TIMEOUT_SECONDS = 15;

  private final KafkaCluster cluster;
  private final Admin admin;

  private DemoKafka(KafkaCluster cluster) {
    this.cluster = cluster;
    Properties properties = new Properties();
    properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
    this.admin = Admin.create(properties);
  }

  /**
   * Starts a broker process under {@code workRoot} and creates the topics (one partition each).
   *
   * @throws DemoStepException (step 2) when the broker does not start or the topics cannot be created
   */
  public static DemoKafka startLocal(Path workRoot) {
    KafkaProcessCluster broker;
    try {
      broker = KafkaProcessCluster.start(workRoot);
    } catch (KafkaClusterException e) {
      throw new DemoStepException(DemoStep.KAFKA, "the local Kafka broker did not start: " + e.getMessage(), e);
    }
    DemoKafka kafka = new DemoKafka(broker);
    try {
      broker.createTopics(1, TOPICS.toArray(String[]::new));
    } catch (KafkaClusterException e) {
      kafka.close();
      throw new DemoStepException(DemoStep.KAFKA, "creating the topics " + TOPICS + " failed: " + e.getMessage(), e);
    }
    return kafka;
  }

  /**
   * Connects to an existing cluster and creates whichever of the topics are missing.
   *
   * @throws DemoStepException (step 2) when the cluster does not answer or the topics cannot be created
   */
  public static DemoKafka connect(String bootstrapServers) {
    DemoKafka kafka = new DemoKafka(new ExternalKafkaCluster(bootstrapServers));
    try {
      Set<String> existing = kafka.admin.listTopics().names().get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      List<String> missing = TOPICS.stream().filter(topic -> !existing.contains(topic)).toList();
      if (!missing.isEmpty()) {
        kafka.cluster.createTopics(1, missing.toArray(String[]::new));
      }
      return kafka;
    } catch (ExecutionException | TimeoutException e) {
      kafka.close();
      throw new DemoStepException(DemoStep.KAFKA, "the Kafka cluster at --bootstrap-servers " + bootstrapServers
          + " does not answer (" + (e.getCause() == null ? e : e.getCause()) + ")",
          "check the address and that the cluster is up, or leave out --bootstrap-servers to start a local broker", e);
    } catch (KafkaClusterException e) {
      kafka.close();
      throw new DemoStepException(DemoStep.KAFKA, "creating topics on " + bootstrapServers + " failed: "
          + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kafka.close();
      throw new DemoStepException(DemoStep.KAFKA, "interrupted while connecting to " + bootstrapServers, e);
    }
  }

  /**
   * Creates whichever of {@code topics} do not exist yet (one partition each).
   *
   * @throws DemoStepException (of {@code step}) when the cluster does not answer or refuses
   */
  public void createMissing(List<String> topics, DemoStep step) {
    try {
      Set<String> existing = admin.listTopics().names().get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      List<String> missing = topics.stream().filter(topic -> !existing.contains(topic)).toList();
      if (!missing.isEmpty()) {
        cluster.createTopics(1, missing.toArray(String[]::new));
      }
    } catch (ExecutionException | TimeoutException | KafkaClusterException e) {
      throw new DemoStepException(step, "creating the topics " + topics + " on " + bootstrapServers() + " failed: "
          + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DemoStepException(step, "interrupted while creating the topics " + topics, e);
    }
  }

  /** The {@code bootstrap.servers} address. */
  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  /** Whether the demo started this broker (and stops it on close). */
  public boolean local() {
    return cluster instanceof KafkaProcessCluster;
  }

  /** The broker's process id, when the demo started it. */
  public Long brokerPid() {
    return cluster instanceof KafkaProcessCluster process ? process.pid() : null;
  }

  /** Producer settings for this cluster (idempotent, byte arrays). */
  public Properties producerProperties() {
    return cluster.producerProperties();
  }

  /** Consumer settings for this cluster ({@code read_committed}, byte arrays, no auto commit). */
  public Properties consumerProperties(String groupId) {
    return cluster.consumerProperties(groupId);
  }

  /**
   * The current end offset of every partition of the topics: where this run's records start.
   *
   * @throws DemoStepException (of {@code step}) when the cluster does not answer
   */
  public Map<TopicPartition, Long> endOffsets(List<String> topics, DemoStep step) {
    try {
      Map<String, TopicDescription> descriptions = admin.describeTopics(topics).allTopicNames()
          .get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      Map<TopicPartition, OffsetSpec> request = new HashMap<>();
      descriptions.values().forEach(description -> description.partitions().forEach(
          partition -> request.put(new TopicPartition(description.name(), partition.partition()),
              OffsetSpec.latest())));
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> offsets = admin.listOffsets(request).all()
          .get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      Map<TopicPartition, Long> ends = new HashMap<>();
      offsets.forEach((partition, info) -> ends.put(partition, info.offset()));
      return ends;
    } catch (ExecutionException | TimeoutException e) {
      throw new DemoStepException(step, "reading the end offsets of " + topics + " on " + bootstrapServers()
          + " failed (" + (e.getCause() == null ? e : e.getCause()) + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DemoStepException(step, "interrupted while reading offsets of " + topics, e);
    }
  }

  /**
   * Records of {@code topic} not yet committed by consumer group {@code groupId}: the job's consumer lag, as far as
   * its last completed checkpoint committed it.
   *
   * @return the lag, or -1 before the group's first commit or when the cluster does not answer quickly
   */
  public long lag(String topic, String groupId) {
    try {
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
          .partitionsToOffsetAndMetadata().get(2, TimeUnit.SECONDS);
      Map<TopicPartition, Long> ends = endOffsets(List.of(topic), DemoStep.RESULTS);
      long lag = 0;
      for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
        OffsetAndMetadata position = committed.get(end.getKey());
        if (position == null) {
          return -1;
        }
        lag += Math.max(0, end.getValue() - position.offset());
      }
      return lag;
    } catch (ExecutionException | TimeoutException | DemoStepException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** Closes the admin client and, for a local broker, stops it and deletes its data. */
  @Override
  public void close() {
    try {
      admin.close(java.time.Duration.ofSeconds(5));
    } finally {
      cluster.close();
    }
  }

  @Override
  public String toString() {
    return cluster.toString();
  }
}
