package io.impflow.testkit.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.impflow.testkit.process.FileTree;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The process backend: a real KRaft broker JVM, its topics, transactions, shutdown and orphan protection. */
class KafkaProcessClusterIT {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension(KafkaBackend.PROCESS);

    private static long classBrokerPid;

    @BeforeAll
    static void rememberTheClassBroker() {
        classBrokerPid = ((KafkaProcessCluster) KAFKA.cluster()).pid();
    }

    @Test
    void transactionalRecordsRoundTripThroughAThreePartitionTopic(KafkaCluster injected)
            throws ExecutionException, InterruptedException {
        assertThat(injected).isSameAs(KAFKA.cluster());
        assertThat(injected.backend()).isEqualTo("process");
        assertThat(injected).isInstanceOf(KafkaProcessCluster.class);

        TransactionalRoundTrip.run(injected, "round-trip");
    }

    @Test
    void creatingAnExistingTopicFailsWithItsName() {
        KAFKA.cluster().createTopics(1, "created-twice");

        assertThatThrownBy(() -> KAFKA.cluster().createTopics(2, "created-twice"))
                .isInstanceOf(KafkaClusterException.class)
                .hasMessageContaining("created-twice")
                .hasMessageContaining("TopicExistsException");
    }

    @Test
    void closeStopsTheBrokerJvmAndDeletesItsDataButKeepsTheLog() {
        KafkaProcessCluster cluster = KafkaProcessCluster.start();
        long pid = cluster.pid();
        Path data = cluster.dataDirectory();
        assertThat(isAlive(pid)).isTrue();
        assertThat(data.resolve("meta.properties")).isRegularFile();

        cluster.close();

        assertThat(isAlive(pid)).isFalse();
        assertThat(data).doesNotExist();
        assertThat(cluster.logFile()).content(StandardCharsets.UTF_8).contains("Kafka Server started");
    }

    @Test
    void aStoppedOrKilledBrokerRestartsOnItsDataAndAddress() throws Exception {
        try (KafkaProcessCluster cluster = KafkaProcessCluster.start()) {
            String address = cluster.bootstrapServers();
            TransactionalRoundTrip.run(cluster, "before-restarts");
            long firstPid = cluster.pid();

            assertThat(cluster.stop(Duration.ofSeconds(60))).as("exit status after SIGTERM").isEqualTo(143);
            assertThat(isAlive(firstPid)).isFalse();
            cluster.restart();
            assertThat(cluster.logFile()).content(StandardCharsets.UTF_8).contains("Kafka Server started");
            long secondPid = cluster.pid();
            assertThat(cluster.kill()).as("exit status after SIGKILL").isEqualTo(137);
            assertThatThrownBy(cluster::kill).isInstanceOf(KafkaClusterException.class)
                    .hasMessageContaining("not running");
            cluster.restart();

            assertThat(cluster.pid()).isNotIn(firstPid, secondPid);
            assertThat(cluster.bootstrapServers()).isEqualTo(address);
            assertThat(committedValues(cluster, "before-restarts")).as("records committed before both restarts")
                    .hasSize(TransactionalRoundTrip.TRANSACTIONS * TransactionalRoundTrip.RECORDS_PER_TRANSACTION)
                    .doesNotHaveDuplicates();
            TransactionalRoundTrip.run(cluster, "after-restarts");
        }
    }

    @Test
    void brokerHaltsWhenTheJvmThatStartedItIsKilled() throws IOException, InterruptedException {
        Process parent = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-cp", System.getProperty("java.class.path"), BrokerStartingJvm.class.getName()))
                .redirectErrorStream(true)
                .start();
        String report = null;
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while (report == null && (line = out.readLine()) != null) {
                if (line.startsWith(BrokerStartingJvm.REPORT_PREFIX)) {
                    report = line.substring(BrokerStartingJvm.REPORT_PREFIX.length());
                }
            }
        } finally {
            parent.destroyForcibly(); // SIGKILL: no shutdown hook runs in the parent
            assertThat(parent.waitFor(10, TimeUnit.SECONDS)).as("the killed parent JVM exited").isTrue();
        }
        assertThat(report).as("the child JVM's report of its broker pid and data directory").isNotNull();
        String[] pidAndData = report.split(" ", 2);
        long brokerPid = Long.parseLong(pidAndData[0]);

        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (isAlive(brokerPid) && System.nanoTime() - deadline < 0) {
            Thread.sleep(100);
        }
        boolean outlivedItsParent = isAlive(brokerPid);
        ProcessHandle.of(brokerPid).ifPresent(ProcessHandle::destroyForcibly);
        FileTree.delete(Path.of(pidAndData[1])); // nobody closed that cluster

        assertThat(outlivedItsParent).as("broker pid %d alive 15 s after its parent was killed", brokerPid).isFalse();
    }

    /** A nested class runs against its outer class's broker instead of starting a second one. */
    @Nested
    class NestedClass {

        @Test
        void sharesTheOuterClassBroker(KafkaCluster injected) {
            assertThat(injected).isSameAs(KAFKA.cluster());
            assertThat(((KafkaProcessCluster) injected).pid()).isEqualTo(classBrokerPid);
            assertThat(isAlive(classBrokerPid)).isTrue();
        }
    }

    private static List<String> committedValues(KafkaCluster cluster, String topic) {
        return TransactionalRoundTrip.consume(cluster, topic,
                TransactionalRoundTrip.TRANSACTIONS * TransactionalRoundTrip.RECORDS_PER_TRANSACTION)
                .stream().map(r -> r.value()).toList();
    }

    private static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isPresent();
    }

    /** A JVM that starts a broker, reports its pid and data directory, and waits to be killed. */
    static final class BrokerStartingJvm {

        static final String REPORT_PREFIX = "broker pid and data: ";

        public static void main(String[] args) throws InterruptedException {
            KafkaProcessCluster cluster = KafkaProcessCluster.start();
            System.out.println(REPORT_PREFIX + cluster.pid() + " " + cluster.dataDirectory());
            System.out.flush();
            Thread.sleep(Duration.ofMinutes(2).toMillis());
            cluster.close();
        }
    }
}
