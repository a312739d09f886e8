package io.impflow.testkit.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.CodeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;

/**
 * A single-node KRaft Kafka broker (broker and controller in one) running as its own JVM from the {@code kafka_2.13}
 * jars, with its configuration, data and log in a fresh directory under the calling module's {@code target/}.
 *
 * <p>The broker's classpath is the one written at build time to the resource {@value #CLASSPATH_RESOURCE}, never
 * the test JVM's classpath. Closing the cluster stops the broker and deletes its data; {@code broker.log} and
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

    private final Path dataDirectory;
    private final Path logFile;
    private final Process process;
    private final String bootstrapServers;
    private final Thread shutdownHook;
    private final AtomicBoolean closed = new AtomicBoolean();

    private KafkaProcessCluster(Path dataDirectory, Path logFile, Process process, String bootstrapServers) {
        this.dataDirectory = dataDirectory;
        this.logFile = logFile;
        this.process = process;
        this.bootstrapServers = bootstrapServers;
        this.shutdownHook = new Thread(process::destroyForcibly, "impflow-kafka-broker-stop-" + process.pid());
        Runtime.getRuntime().addShutdownHook(shutdownHook);
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
        String classpath = brokerClasspath();
        for (int attempt = 1; ; attempt++) {
            Path workDirectory = workRoot.toAbsolutePath().normalize().resolve("kafka-" + UUID.randomUUID());
            try {
                return startIn(workDirectory, classpath);
            } catch (KafkaClusterException e) {
                // A probed port can be taken by someone else before the broker binds it; new ports fix that.
                if (attempt == PORT_ATTEMPTS || !logContains(workDirectory.resolve("broker.log"), PORT_TAKEN)) {
                    throw e;
                }
            }
        }
    }

    private static KafkaProcessCluster startIn(Path workDirectory, String classpath) {
        Path dataDirectory = workDirectory.resolve("data");
        Path logFile = workDirectory.resolve("broker.log");
        Path config = workDirectory.resolve("server.properties");
        Path log4jConfig = workDirectory.resolve("log4j2.properties");
        int[] ports = freeLoopbackPorts(2);
        String host = InetAddress.getLoopbackAddress().getHostAddress();
        String bootstrapServers = host + ":" + ports[0];
        try {
            Files.createDirectories(workDirectory);
            Files.writeString(config, serverProperties(host, ports[0], ports[1], dataDirectory),
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
        List<String> command = List.of(javaExecutable(), BROKER_HEAP, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true",
                "-Dlog4j2.configurationFile=" + log4jConfig.toUri(), "-cp", classpath,
                BrokerProcessMain.class.getName(), Uuid.randomUuid().toString(), config.toString());
        Process process = launch(command, workDirectory, logFile, "the Kafka broker");
        KafkaProcessCluster cluster = new KafkaProcessCluster(dataDirectory, logFile, process, bootstrapServers);
        try {
            cluster.awaitReady();
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    @Override
    public String bootstrapServers() {
        return bootstrapServers;
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
        return process.pid();
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
        return logFile;
    }

    /**
     * Stops the broker and deletes its data directory; idempotent. The broker halts at once rather than shutting
     * down cleanly: its data is discarded, so there is nothing worth flushing.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down and the hook stops the broker itself.
        }
        stop(process, "the Kafka broker", logFile);
        deleteRecursively(dataDirectory);
    }

    @Override
    public String toString() {
        return "Kafka broker process (pid " + process.pid() + ", " + bootstrapServers + ", log " + logFile + ")";
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
        if (!process.isAlive()) {
            String stage = process.exitValue() == BrokerProcessMain.FORMAT_FAILED_STATUS
                    ? "while formatting its storage" : "before it answered on " + bootstrapServers;
            throw new KafkaClusterException("The Kafka broker exited with status " + process.exitValue() + " "
                    + stage + "; its log " + logFile + " ends with:\n" + tail(logFile));
        }
        if (System.nanoTime() - deadline >= 0) {
            throw new KafkaClusterException("The Kafka broker (pid " + process.pid() + ") did not answer on "
                    + bootstrapServers + " within " + READY_TIMEOUT.toSeconds() + " s; its log " + logFile
                    + " ends with:\n" + tail(logFile), lastFailure);
        }
    }

    private void awaitClusterDescription(long deadline) throws InterruptedException {
        Exception lastFailure = null;
        try (Admin admin = Admin.create(TopicProvisioner.adminProperties(bootstrapServers))) {
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

    private static Process launch(List<String> command, Path directory, Path logFile, String what) {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(Redirect.appendTo(logFile.toFile()));
        try {
            return builder.start();
        } catch (IOException e) {
            throw new KafkaClusterException("Could not start " + what + " with " + command.get(0) + ": "
                    + e.getMessage(), e);
        }
    }

    private static void stop(Process process, String what, Path logFile) {
        // destroy() sends SIGTERM and closes the process's stdin, which BrokerProcessMain takes as the order to halt.
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new KafkaClusterException(what + " (pid " + process.pid() + ") did not exit after SIGKILL;"
                            + " kill it by hand. Log: " + logFile);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static String serverProperties(String host, int brokerPort, int controllerPort, Path dataDirectory) {
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
        StringBuilder text = new StringBuilder("# Single-node KRaft test broker written by impflow testkit\n");
        settings.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
        return text.toString();
    }

    private static String brokerClasspath() {
        String listed;
        try (InputStream in = resource(CLASSPATH_RESOURCE)) {
            listed = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new KafkaClusterException("Could not read resource " + CLASSPATH_RESOURCE + ": " + e.getMessage(), e);
        }
        List<String> entries = new ArrayList<>();
        for (String entry : listed.split(java.io.File.pathSeparator)) {
            if (!entry.isBlank() && !Files.exists(Path.of(entry))) {
                throw new KafkaClusterException("Broker classpath entry " + entry + " (listed in resource "
                        + CLASSPATH_RESOURCE + ") does not exist; rebuild the testkit so Maven downloads it:"
                        + " ./mvnw -B -pl testkit -am install -DskipTests");
            }
            entries.add(entry);
        }
        entries.add(ownCodeLocation().toString());
        return String.join(java.io.File.pathSeparator, entries);
    }

    private static Path ownCodeLocation() {
        CodeSource source = BrokerProcessMain.class.getProtectionDomain().getCodeSource();
        String problem = "Cannot locate the testkit classes (jar or directory) to put "
                + BrokerProcessMain.class.getName() + " on the broker classpath";
        if (source == null || source.getLocation() == null) {
            throw new KafkaClusterException(problem + ": the class loader reports no code source");
        }
        try {
            return Path.of(source.getLocation().toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new KafkaClusterException(problem + ": " + source.getLocation() + " is not a local path", e);
        }
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

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static Path defaultWorkRoot() {
        String configured = System.getProperty(WORK_DIR_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        // Surefire and failsafe set basedir to the module under test; elsewhere the working directory stands in.
        String moduleDirectory = System.getProperty("basedir", System.getProperty("user.dir"));
        return Path.of(moduleDirectory, "target");
    }

    private static int[] freeLoopbackPorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket();
                sockets.add(socket);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new KafkaClusterException("Could not find free loopback ports for the Kafka broker: "
                    + e.getMessage(), e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // The port was only probed; a failed close changes nothing for the broker.
                }
            }
        }
    }

    private static boolean logContains(Path file, String text) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(the log " + file + " cannot be read: " + e.getMessage() + ")";
        }
    }

    static void deleteRecursively(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new KafkaClusterException("Could not delete the broker data directory " + directory + ": "
                    + e.getMessage() + "; delete it by hand", e);
        }
    }
}
