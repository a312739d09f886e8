package io.impflow.testkit.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Creates topics on a test cluster and waits until each of their partitions has a leader. */
final class TopicProvisioner {

    private static final long POLL_INTERVAL_MS = 50;

    private TopicProvisioner() {
    }

    static Properties adminProperties(KafkaCluster cluster) {
        Properties properties = new Properties();
        properties.putAll(cluster.clientSecurityProperties());
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        return properties;
    }

    static void createAndAwaitLeaders(KafkaCluster cluster, int partitions, String[] topics, Duration timeout) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
        }
        if (topics == null || topics.length == 0) {
            throw new IllegalArgumentException("createTopics needs at least one topic name");
        }
        List<String> names = List.of(topics);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(adminProperties(cluster))) {
            List<NewTopic> newTopics = names.stream().map(name -> new NewTopic(name, partitions, (short) 1)).toList();
            try {
                admin.createTopics(newTopics).all().get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw new KafkaClusterException("Could not create topics " + names + " with " + partitions
                        + " partitions on " + cluster + ": " + e.getCause(), e.getCause());
            } catch (TimeoutException e) {
                throw new KafkaClusterException("Creating topics " + names + " on " + cluster + " took longer than "
                        + timeout.toSeconds() + " s; is the broker overloaded or gone?", e);
            }
            awaitLeaders(admin, cluster, names, partitions, deadline, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaClusterException("Interrupted while creating topics " + names + " on " + cluster, e);
        }
    }

    private static void awaitLeaders(Admin admin, KafkaCluster cluster, List<String> names, int partitions,
            long deadline, Duration timeout) throws InterruptedException {
        List<String> missing = expectedPartitions(names, partitions);
        while (true) {
            try {
                Map<String, TopicDescription> descriptions = admin.describeTopics(names).allTopicNames()
                        .get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
                missing = partitionsWithoutLeader(descriptions, names, partitions);
                if (missing.isEmpty()) {
                    return;
                }
            } catch (ExecutionException e) {
                // Right after creation the broker's metadata may not list the topics yet; anything else is fatal.
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw new KafkaClusterException("Could not describe topics " + names + " on " + cluster + ": "
                            + e.getCause(), e.getCause());
                }
            } catch (TimeoutException e) {
                break;
            }
            if (System.nanoTime() - deadline >= 0) {
                break;
            }
            Thread.sleep(POLL_INTERVAL_MS);
        }
        throw new KafkaClusterException("Partitions " + missing + " had no leader " + timeout.toSeconds()
                + " s after creation on " + cluster + "; producing now would lose records (KAFKA-15591)."
                + " See the broker log.");
    }

    private static List<String> expectedPartitions(List<String> names, int partitions) {
        List<String> all = new ArrayList<>();
        for (String name : names) {
            for (int p = 0; p < partitions; p++) {
                all.add(name + "-" + p);
            }
        }
        return all;
    }

    private static List<String> partitionsWithoutLeader(Map<String, TopicDescription> descriptions,
            List<String> names, int partitions) {
        List<String> missing = new ArrayList<>();
        for (String name : names) {
            TopicDescription description = descriptions.get(name);
            boolean[] led = new boolean[partitions];
            if (description != null) {
                for (TopicPartitionInfo info : description.partitions()) {
                    if (info.partition() < partitions && info.leader() != null && !info.leader().isEmpty()) {
                        led[info.partition()] = true;
                    }
                }
            }
            for (int p = 0; p < partitions; p++) {
                if (!led[p]) {
                    missing.add(name + "-" + p);
                }
            }
        }
        return missing;
    }

    private static long remainingMillis(long deadline) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }
}
