package io.impflow.testkit.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The broker check both backends' ITs run: a 3-partition topic whose partitions all have leaders, committed and
 * aborted transactions, and a read_committed consumer that must see exactly the committed records, in order.
 */
final class TransactionalRoundTrip {

    static final int PARTITIONS = 3;
    static final int TRANSACTIONS = 3;
    static final int RECORDS_PER_TRANSACTION = 100;
    private static final int ABORTED_RECORDS = 50;
    private static final Duration CONSUME_TIMEOUT = Duration.ofSeconds(30);

    private TransactionalRoundTrip() {
    }

    static void run(KafkaCluster cluster, String topic) throws ExecutionException, InterruptedException {
        cluster.createTopics(PARTITIONS, topic);
        assertEveryPartitionHasALeader(cluster, topic);

        List<String> committed = produce(cluster, topic);
        List<ConsumerRecord<String, String>> consumed = consume(cluster, topic, committed.size());

        assertThat(consumed).extracting(ConsumerRecord::value).containsExactlyInAnyOrderElementsOf(committed);
        assertThat(consumed).allSatisfy(r -> assertThat(r.key()).isEqualTo("key-" + r.value().substring(6)));
        Map<Integer, List<Integer>> sequenceByPartition = new HashMap<>();
        for (ConsumerRecord<String, String> record : consumed) {
            sequenceByPartition.computeIfAbsent(record.partition(), p -> new ArrayList<>())
                    .add(Integer.parseInt(record.value().substring(6)));
        }
        assertThat(sequenceByPartition).as("records per partition").hasSize(PARTITIONS);
        sequenceByPartition.values().forEach(sequence -> assertThat(sequence).isSorted());
    }

    private static void assertEveryPartitionHasALeader(KafkaCluster cluster, String topic)
            throws ExecutionException, InterruptedException {
        Properties properties = new Properties();
        properties.put("bootstrap.servers", cluster.bootstrapServers());
        try (Admin admin = Admin.create(properties)) {
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            assertThat(description.partitions()).hasSize(PARTITIONS);
            for (TopicPartitionInfo partition : description.partitions()) {
                assertThat(partition.leader()).as("leader of %s-%d", topic, partition.partition()).isNotNull();
                assertThat(partition.leader().isEmpty()).as("leader of %s-%d is empty", topic, partition.partition())
                        .isFalse();
            }
        }
    }

    /** Commits TRANSACTIONS transactions, with an aborted one after the first; returns the committed values. */
    private static List<String> produce(KafkaCluster cluster, String topic) {
        Properties properties = cluster.producerProperties();
        properties.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "testkit-it-" + UUID.randomUUID());
        List<String> committed = new ArrayList<>();
        int sequence = 0;
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(properties, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            for (int t = 0; t < TRANSACTIONS; t++) {
                producer.beginTransaction();
                for (int i = 0; i < RECORDS_PER_TRANSACTION; i++, sequence++) {
                    String value = "value-" + sequence;
                    producer.send(new ProducerRecord<>(topic, "key-" + sequence, value));
                    committed.add(value);
                }
                producer.commitTransaction();
                if (t == 0) {
                    producer.beginTransaction();
                    for (int i = 0; i < ABORTED_RECORDS; i++) {
                        producer.send(new ProducerRecord<>(topic, "aborted-" + i, "aborted-" + i));
                    }
                    producer.flush();
                    producer.abortTransaction();
                }
            }
        }
        return committed;
    }

    static List<ConsumerRecord<String, String>> consume(KafkaCluster cluster, String topic, int expected) {
        Properties properties = cluster.consumerProperties("testkit-it-" + UUID.randomUUID());
        List<ConsumerRecord<String, String>> consumed = new ArrayList<>();
        long deadline = System.nanoTime() + CONSUME_TIMEOUT.toNanos();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(properties, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            while (consumed.size() < expected && System.nanoTime() - deadline < 0) {
                consumer.poll(Duration.ofMillis(200)).forEach(consumed::add);
            }
            // One more poll: anything beyond the committed records (aborted or duplicated) would show up here.
            consumer.poll(Duration.ofMillis(500)).forEach(consumed::add);
        }
        assertThat(consumed).as("records consumed from %s within %s", topic, CONSUME_TIMEOUT).hasSize(expected);
        return consumed;
    }
}
