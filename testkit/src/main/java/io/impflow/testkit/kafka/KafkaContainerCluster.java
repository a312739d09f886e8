package io.impflow.testkit.kafka;

import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/** A single-node Kafka cluster in a Testcontainers {@code apache/kafka} container; needs a Docker engine. */
public final class KafkaContainerCluster implements KafkaCluster {

    /** The broker image, the same Kafka version as the {@code kafka_2.13} jars of the process backend. */
    public static final String IMAGE = "apache/kafka:4.2.0";

    private final KafkaContainer container;

    private KafkaContainerCluster(KafkaContainer container) {
        this.container = container;
    }

    /**
     * Starts the container and waits until the broker inside it answers.
     *
     * @return the running cluster
     * @throws KafkaClusterException if Docker is unavailable or the container does not start
     */
    @SuppressWarnings("resource") // closed on failure here, else by KafkaContainerCluster.close()
    public static KafkaContainerCluster start() {
        KafkaContainer container = new KafkaContainer(DockerImageName.parse(IMAGE))
                // Testcontainers already sets single-node replication factors and no initial rebalance delay; the
                // image turns these KAFKA_* variables into the remaining settings of the process backend.
                .withEnv("KAFKA_HEAP_OPTS", "-Xmx512m")
                .withEnv("KAFKA_TRANSACTION_STATE_LOG_NUM_PARTITIONS", "1")
                .withEnv("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR", "1")
                .withEnv("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR", "1");
        try {
            container.start();
        } catch (RuntimeException e) {
            container.close();
            throw new KafkaClusterException("Could not start the Kafka container " + IMAGE + ": " + e.getMessage()
                    + "; check that a Docker engine answers (docker info) or use -D" + KafkaBackend.PROPERTY
                    + "=process", e);
        }
        return new KafkaContainerCluster(container);
    }

    @Override
    public String bootstrapServers() {
        return container.getBootstrapServers();
    }

    @Override
    public String backend() {
        return KafkaBackend.CONTAINER.id();
    }

    /**
     * Returns the container, for tests that need its logs or Docker-level control.
     *
     * @return the running container
     */
    public KafkaContainer container() {
        return container;
    }

    /** Stops and removes the container, and with it the broker's data. */
    @Override
    public void close() {
        container.close();
    }

    @Override
    public String toString() {
        return "Kafka container " + IMAGE + " (" + container.getContainerId() + ")";
    }
}
