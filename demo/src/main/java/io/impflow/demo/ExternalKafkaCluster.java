package io.impflow.demo;

import io.impflow.testkit.kafka.KafkaCluster;

/** A Kafka cluster the demo did not start ({@code --bootstrap-servers}): closing it leaves the cluster alone. */
public final class ExternalKafkaCluster implements KafkaCluster {
  private final String bootstrapServers;

  /** A cluster at {@code bootstrapServers} ({@code host:port,...}). */
  public ExternalKafkaCluster(String bootstrapServers) {
    this.bootstrapServers = bootstrapServers;
  }

  @Override
  public String bootstrapServers() {
    return bootstrapServers;
  }

  @Override
  public String backend() {
    return "external";
  }

  @Override
  public void close() {
    // Not ours to stop.
  }

  @Override
  public String toString() {
    return "Kafka cluster at " + bootstrapServers;
  }
}
