package io.impflow.demo.cluster;

import io.impflow.demo.ExternalKafkaCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/** A read_committed reader of every partition of some topics, from their first offsets; no consumer group commits. */
final class CommittedTopics implements AutoCloseable {
  private static final Duration POLL = Duration.ofMillis(500);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final List<TopicPartition> partitions = new ArrayList<>();

  /** Fails with a message naming the topic when one does not exist. */
  CommittedTopics(String bootstrapServers, List<String> topics) {
    consumer = new KafkaConsumer<>(new ExternalKafkaCluster(bootstrapServers)
        .consumerProperties("impflow-cluster-check-" + UUID.randomUUID()));
    for (String topic : topics) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(60));
      if (infos == null || infos.isEmpty()) {
        consumer.close();
        throw new IllegalStateException("topic '" + topic + "' does not exist on " + bootstrapServers
            + "; create it with the topics command");
      }
      infos.forEach(info -> partitions.add(new TopicPartition(info.topic(), info.partition())));
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
  }

  /** The next committed records, possibly none. */
  Iterable<ConsumerRecord<byte[], byte[]>> poll() {
    return consumer.poll(POLL);
  }

  /** Whether the reader has reached the last stable offset that every partition has now. */
  boolean atEnd() {
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
    return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
  }

  @Override
  public void close() {
    consumer.close();
  }
}
