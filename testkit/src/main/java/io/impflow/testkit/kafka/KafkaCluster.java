package io.impflow.testkit.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** A running single-node Kafka cluster for tests, whichever backend runs it; close it to stop the broker. */
public interface KafkaCluster extends AutoCloseable {

    /** How long {@link #createTopics} waits for the topics to exist and every partition to have a leader. */
    Duration TOPIC_READY_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Returns the address clients connect to.
     *
     * @return a {@code host:port} list for {@code bootstrap.servers}
     */
    String bootstrapServers();

    /**
     * Returns which backend runs the broker.
     *
     * @return "process" or "container"
     */
    String backend();

    /**
     * Creates topics with replication factor 1 and waits until every partition has a leader, so that the first
     * produced batch is not lost (KAFKA-15591).
     *
     * @param partitions partitions per topic, at least 1
     * @param topics     topic names, at least one; none may exist yet
     * @throws KafkaClusterException if creation fails or a partition has no leader within
     *                               {@link #TOPIC_READY_TIMEOUT}
     */
    default void createTopics(int partitions, String... topics) {
        TopicProvisioner.createAndAwaitLeaders(this, partitions, topics, TOPIC_READY_TIMEOUT);
    }

    /**
     * Returns the settings every client of this cluster needs besides {@code bootstrap.servers}: none for a
     * plaintext broker, the super user's SASL_SSL settings for a secured one.
     *
     * @return client properties, possibly empty
     */
    default Map<String, String> clientSecurityProperties() {
        return Map.of();
    }

    /**
     * Returns producer settings for this cluster: idempotent, {@code acks=all}, byte-array serializers unless the
     * caller passes serializers to the producer's constructor. Add {@code transactional.id} for transactions.
     *
     * @return a fresh, mutable set of properties
     */
    default Properties producerProperties() {
        Properties properties = new Properties();
        properties.putAll(clientSecurityProperties());
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return properties;
    }

    /**
     * Returns consumer settings for this cluster: {@code read_committed}, from the earliest offset, no auto commit,
     * byte-array deserializers unless the caller passes deserializers to the consumer's constructor.
     *
     * @param groupId the consumer group
     * @return a fresh, mutable set of properties
     */
    default Properties consumerProperties(String groupId) {
        Properties properties = new Properties();
        properties.putAll(clientSecurityProperties());
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return properties;
    }

    /** Stops the broker and removes its data; never throws a checked exception. */
    @Override
    void close();

    /**
     * Starts a broker with the backend named by the system property {@value KafkaBackend#PROPERTY}
     * ({@code process}, {@code container} or {@code auto}, the default).
     *
     * @return the running cluster
     * @throws KafkaClusterException if the broker does not start
     */
    static KafkaCluster start() {
        return start(KafkaBackend.fromSystemProperty());
    }

    /**
     * Starts a broker with the given backend; {@link KafkaBackend#AUTO} picks the container when Docker answers.
     *
     * @param backend the backend
     * @return the running cluster
     * @throws KafkaClusterException if the broker does not start
     */
    static KafkaCluster start(KafkaBackend backend) {
        return switch (backend.resolve()) {
            case CONTAINER -> KafkaContainerCluster.start();
            case PROCESS, AUTO -> KafkaProcessCluster.start();
        };
    }
}
