package io.impflow.testkit.kafka;

import io.impflow.testkit.process.ChildClasspath;
import io.impflow.testkit.process.ChildJvm;
import io.impflow.testkit.process.ExitHook;
import io.impflow.testkit.process.FileTree;
import io.impflow.testkit.process.LoopbackPorts;
import io.impflow.testkit.process.ProcessLog;
import io.impflow.testkit.process.WorkRoot;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;

/**
 * A single-node KRaft Kafka broker (broker and controller in one) running as its own JVM from the {@code kafka_2.13}
 * jars, with its configuration, data and log in a fresh directory under the calling module's {@code target/}.
 *
 * <p>The broker's classpath is the one written at build time to the resource {@value #CLASSPATH_RESOURCE}, never
 * the test JVM's classpath. Failure tests can {@link #stop} or {@link #kill} the broker and {@link #restart} it on
 * the same data and address. Closing the cluster stops the broker and deletes its data; {@code broker.log} and
 * {@code server.properties} stay for post-mortems. A shutdown hook, and a watchdog in the broker JVM that halts it
 * when its stdin (a pipe from the test JVM) closes, make sure no broker outlives the JVM that started it, even one
 * killed with SIGKILL.
 */
public final class KafkaProcessCluster implements KafkaCluster {

    /** System property naming the directory under which broker directories are created (default: target/). */
    public static final String WORK_DIR_PROPERTY = "impflow.kafka.workDir";

    /** Resource, next to this class, that lists the broker JVM's classpath. */
    static final String CLASSPATH_RESOURCE = "broker.classpath";

    private static final String LOG4J_RESOURCE = "broker-log4j2.properties";
    private static final String BROKER_HEAP = "-Xmx512m";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final int LOG_TAIL_LINES = 40;
    private static final int PORT_ATTEMPTS = 3;
    private static final String PORT_TAKEN = "Address already in use";

    private final Path workDirectory;
    private final Path dataDirectory;
    private final List<String> command;
    private final String bootstrapServers;
    private final ExitHook exitHook;
    private final KafkaSecurity security;
    /** The broker JVM now; {@link #restart()} replaces it with one on the same directories and ports. */
    private volatile ChildJvm broker;

    private KafkaProcessCluster(Path workDirectory, Path dataDirectory, List<String> command, ChildJvm broker,
            String bootstrapServers, KafkaSecurity security) {
        this.workDirectory = workDirectory;
        this.dataDirectory = dataDirectory;
        this.command = command;
        this.broker = broker;
        this.bootstrapServers = bootstrapServers;
        this.security = security;
        this.exitHook = ExitHook.install("impflow-kafka-broker-stop-" + broker.process().pid(),
                () -> this.broker.kill());
    }

    /**
     * Starts a broker under {@code target/} of the current module (or under {@value #WORK_DIR_PROPERTY}) and waits
     * until it answers.
     *
     * @return the running broker
     * @throws KafkaClusterException if the broker cannot be formatted, started or reached; the message quotes its log
     */
    public static KafkaProcessCluster start() {
        return start(defaultWorkRoot());
    }

    /**
     * Starts a broker in a fresh directory {@code kafka-<uuid>} under {@code workRoot} and waits until it answers.
     *
     * @param workRoot the directory that receives the broker directory; created when missing
     * @return the running broker
     * @throws KafkaClusterException if the broker cannot be formatted, started or reached; the message quotes its log
     */
    public static KafkaProcessCluster start(Path workRoot) {
        return start(workRoot, null);
    }

    /**
     * Starts a broker like {@link #start(Path)}, reachable only over SASL_SSL with the users and authorizer of
     * {@code security}; this cluster's own clients (topic creation) authenticate as its super user.
     *
     * @param workRoot the directory that receives the broker directory; created when missing
     * @param security the SASL_SSL set-up, or null for plaintext
     * @return the running broker
     * @throws KafkaClusterException if the broker cannot be formatted, started or reached; the message quotes its log
     */
    public static KafkaProcessCluster start(Path workRoot, KafkaSecurity security) {
        String classpath = ChildClasspath.fromResource(KafkaProcessCluster.class, CLASSPATH_RESOURCE, "Broker",
                BrokerProcessMain.class, KafkaClusterException::new);
        for (int attempt = 1; ; attempt++) {
            Path workDirectory = workRoot.toAbsolutePath().normalize().resolve("kafka-" + UUID.randomUUID());
            try {
                return startIn(workDirectory, classpath, security);
            } catch (KafkaClusterException e) {
                // A probed port can be taken by someone else before the broker binds it; new ports fix that.
                boolean portTaken = ProcessLog.contains(workDirectory.resolve("broker.log"), PORT_TAKEN);
                if (attempt == PORT_ATTEMPTS || !portTaken) {
                    throw e;
                }
            }
        }
    }

    private static KafkaProcessCluster startIn(Path workDirectory, String classpath, KafkaSecurity security) {
        Path dataDirectory = workDirectory.resolve("data");
        Path logFile = workDirectory.resolve("broker.log");
        Path config = workDirectory.resolve("server.properties");
        Path log4jConfig = workDirectory.resolve("log4j2.properties");
        int[] ports = freeLoopbackPorts();
        String host = LoopbackPorts.host();
        String bootstrapServers = host + ":" + ports[0];
        try {
            Files.createDirectories(workDirectory);
            Files.writeString(config, serverProperties(host, ports[0], ports[1], dataDirectory, security),
                    StandardCharsets.UTF_8);
            try (InputStream in = resource(LOG4J_RESOURCE)) {
                Files.copy(in, log4jConfig, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new KafkaClusterException("Could not write the broker configuration under " + workDirectory
                    + ": " + e.getMessage() + "; check that the directory is writable", e);
        }
        // C1 only and the serial collector: on a busy 2-core machine this starts the broker in about half the time,
        // and a test broker's load never needs C2.
        List<String> command = new ArrayList<>(List.of(ChildJvm.javaExecutable(), BROKER_HEAP,
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError",
                "-Djava.awt.headless=true", "-Dlog4j2.configurationFile=" + log4jConfig.toUri(), "-cp", classpath,
                BrokerProcessMain.class.getName(), Uuid.randomUuid().toString(), config.toString()));
        if (security != null) {
            command.addAll(security.formatArguments());
        }
        ChildJvm broker = launch(command, workDirectory, logFile);
        KafkaProcessCluster cluster = new KafkaProcessCluster(workDirectory, dataDirectory, List.copyOf(command),
                broker, bootstrapServers, security);
        try {
            cluster.awaitReady();
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private static ChildJvm launch(List<String> command, Path workDirectory, Path logFile) {
        return ChildJvm.start("the Kafka broker", command, workDirectory, logFile, Map.of(),
                KafkaClusterException::new);
    }

    /**
     * Stops the broker with SIGTERM, as an operator or orchestrator does: Kafka shuts down in an orderly way
     * (controlled shutdown, logs flushed and closed). Waits until the JVM is gone; the data stays for
     * {@link #restart()}. Unlike {@link ChildJvm#stop}, stdin stays open, so the parent watchdog does not halt the
     * broker before Kafka's own shutdown runs.
     *
     * @param timeout how long the orderly shutdown may take before the broker is killed with SIGKILL
     * @return the broker JVM's exit status (143 after an orderly SIGTERM shutdown)
     * @throws KafkaClusterException if the broker is not running
     */
    public int stop(Duration timeout) {
        ChildJvm running = runningBroker("stop");
        running.process().toHandle().destroy();
        return running.awaitExit(timeout);
    }

    /**
     * Kills the broker with SIGKILL, as when its machine dies: nothing is flushed or closed. Waits until the JVM is
     * gone; the data stays for {@link #restart()}, which then recovers the logs as after a crash.
     *
     * @return the broker JVM's exit status (137)
     * @throws KafkaClusterException if the broker is not running
     */
    public int kill() {
        ChildJvm running = runningBroker("kill");
        running.kill();
        return running.awaitExit(STOP_TIMEOUT);
    }

    /**
     * Starts the broker again after {@link #stop} or {@link #kill}: the same node id, cluster id, log directories,
     * listeners and ports, so clients reconnect to the address they know. Waits until it answers again.
     *
     * @throws KafkaClusterException if the broker is still running, or does not start and answer in time; the message
     *                               quotes its log
     */
    public void restart() {
        if (broker.process().isAlive()) {
            throw new KafkaClusterException("The Kafka broker (pid " + pid() + ") is still running; stop or kill it"
                    + " before restarting it");
        }
        broker = launch(command, workDirectory, broker.log());
        awaitReady();
    }

    private ChildJvm runningBroker(String action) {
        ChildJvm running = broker;
        if (!running.process().isAlive()) {
            throw new KafkaClusterException("Cannot " + action + " the Kafka broker: it is not running (pid "
                    + running.process().pid() + " exited with status " + running.process().exitValue() + ")");
        }
        return running;
    }

    @Override
    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public Map<String, String> clientSecurityProperties() {
        return security == null ? Map.of() : security.superUserProperties();
    }

    @Override
    public String backend() {
        return KafkaBackend.PROCESS.id();
    }

    /**
     * Returns the operating-system id of the broker JVM.
     *
     * @return the broker's pid
     */
    public long pid() {
        return broker.process().pid();
    }

    /**
     * Returns the broker's log directory, deleted on {@link #close()}.
     *
     * @return the data directory
     */
    public Path dataDirectory() {
        return dataDirectory;
    }

    /**
     * Returns the file that receives the broker's stdout and stderr; it stays after {@link #close()}.
     *
     * @return the broker log
     */
    public Path logFile() {
        return broker.log();
    }

    /**
     * Stops the broker and deletes its data directory; idempotent. The broker halts at once rather than shutting
     * down cleanly: its data is discarded, so there is nothing worth flushing.
     */
    @Override
    public void close() {
        if (!exitHook.remove()) {
            return;
        }
        broker.stop(STOP_TIMEOUT);
        try {
            FileTree.delete(dataDirectory);
        } catch (IOException e) {
            throw new KafkaClusterException("Could not delete the broker data directory " + dataDirectory + ": "
                    + e.getMessage() + "; delete it by hand", e);
        }
    }

    @Override
    public String toString() {
        return "Kafka broker process (pid " + pid() + ", " + bootstrapServers + ", log " + broker.log() + ")";
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try {
            // A plain connect first: an admin client polling a closed port fills the test log with warnings.
            while (!listening()) {
                checkAliveAndInTime(deadline, null);
                Thread.sleep(100);
            }
            awaitClusterDescription(deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaClusterException("Interrupted while waiting for the Kafka broker on " + bootstrapServers, e);
        }
    }

    private boolean listening() {
        String[] hostAndPort = bootstrapServers.split(":");
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(hostAndPort[0], Integer.parseInt(hostAndPort[1])), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void checkAliveAndInTime(long deadline, Exception lastFailure) {
        Process process = broker.process();
        if (!process.isAlive()) {
            String stage = process.exitValue() == BrokerProcessMain.FORMAT_FAILED_STATUS
                    ? "while formatting its storage" : "before it answered on " + bootstrapServers;
            throw new KafkaClusterException("The Kafka broker exited with status " + process.exitValue() + " "
                    + stage + "; its log " + broker.log() + " ends with:\n"
                    + ProcessLog.tail(broker.log(), LOG_TAIL_LINES));
        }
        if (System.nanoTime() - deadline >= 0) {
            throw new KafkaClusterException("The Kafka broker (pid " + process.pid() + ") did not answer on "
                    + bootstrapServers + " within " + READY_TIMEOUT.toSeconds() + " s; its log " + broker.log()
                    + " ends with:\n" + ProcessLog.tail(broker.log(), LOG_TAIL_LINES), lastFailure);
        }
    }

    private void awaitClusterDescription(long deadline) throws InterruptedException {
        Exception lastFailure = null;
        try (Admin admin = Admin.create(TopicProvisioner.adminProperties(this))) {
            while (true) {
                checkAliveAndInTime(deadline, lastFailure);
                try {
                    Collection<Node> nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(2000))
                            .nodes().get(3, TimeUnit.SECONDS);
                    if (!nodes.isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    lastFailure = e;
                }
                Thread.sleep(100);
            }
        }
    }

    private static String serverProperties(String host, int brokerPort, int controllerPort, Path dataDirectory,
            KafkaSecurity security) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("process.roles", "broker,controller");
        settings.put("node.id", "1");
        settings.put("controller.quorum.voters", "1@" + host + ":" + controllerPort);
        settings.put("listeners", "PLAINTEXT://" + host + ":" + brokerPort + ",CONTROLLER://" + host + ":"
                + controllerPort);
        settings.put("advertised.listeners", "PLAINTEXT://" + host + ":" + brokerPort);
        settings.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        settings.put("controller.listener.names", "CONTROLLER");
        settings.put("inter.broker.listener.name", "PLAINTEXT");
        settings.put("log.dirs", dataDirectory.toString());
        // One node: every internal topic has one replica, and small partition counts keep start-up fast.
        settings.put("num.partitions", "1");
        settings.put("default.replication.factor", "1");
        settings.put("min.insync.replicas", "1");
        settings.put("offsets.topic.replication.factor", "1");
        settings.put("offsets.topic.num.partitions", "1");
        settings.put("transaction.state.log.replication.factor", "1");
        settings.put("transaction.state.log.min.isr", "1");
        settings.put("transaction.state.log.num.partitions", "1");
        settings.put("share.coordinator.state.topic.replication.factor", "1");
        settings.put("share.coordinator.state.topic.min.isr", "1");
        settings.put("group.initial.rebalance.delay.ms", "0");
        // The shared 2-core test machine: few threads, a small compaction buffer inside the 512 MiB heap.
        settings.put("num.network.threads", "2");
        settings.put("num.io.threads", "2");
        settings.put("background.threads", "2");
        settings.put("num.recovery.threads.per.data.dir", "1");
        settings.put("log.cleaner.threads", "1");
        settings.put("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
        if (security != null) {
            settings.putAll(security.brokerSettings(host, brokerPort, controllerPort));
        }
        StringBuilder text = new StringBuilder("# Single-node KRaft test broker written by impflow testkit\n");
        settings.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
        return text.toString();
    }

    private static InputStream resource(String name) {
        InputStream in = KafkaProcessCluster.class.getResourceAsStream(name);
        if (in == null) {
            throw new KafkaClusterException("Resource io/impflow/testkit/kafka/" + name + " is missing from the"
                    + " testkit; it is written when the testkit is built: ./mvnw -B -pl testkit -am install"
                    + " -DskipTests");
        }
        return in;
    }

    private static Path defaultWorkRoot() {
        return WorkRoot.resolve(WORK_DIR_PROPERTY);
    }

    private static int[] freeLoopbackPorts() {
        try {
            return LoopbackPorts.free(2);
        } catch (IOException e) {
            throw new KafkaClusterException("Could not find free loopback ports for the Kafka broker: "
                    + e.getMessage(), e);
        }
    }
}
