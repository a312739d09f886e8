package io.impflow.testkit.flink;

import io.impflow.testkit.process.ChildClasspath;
import io.impflow.testkit.process.ChildJvm;
import io.impflow.testkit.process.ExitHook;
import io.impflow.testkit.process.FileTree;
import io.impflow.testkit.process.LoopbackPorts;
import io.impflow.testkit.process.ProcessLog;
import io.impflow.testkit.process.WorkRoot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * A Flink standalone session cluster as separate JVMs started from the Maven jars, without flink-dist: one
 * JobManager ({@code StandaloneSessionClusterEntrypoint}, with flink-runtime-web so jobs can be submitted as jars
 * over REST) and TaskManagers ({@code TaskManagerRunner}) that a failure test can kill with SIGKILL and replace.
 *
 * <p>The cluster's classpath is the one written at build time to the resource {@value #CLASSPATH_RESOURCE} (Flink,
 * log4j and DJL, which must sit on the parent classloader of every Flink JVM), never the test JVM's classpath. The
 * JVM memory flags come from Flink's own {@code BashJavaUtils}, as {@code jobmanager.sh} and {@code taskmanager.sh}
 * compute them. Everything lives in {@code target/flink-<uuid>/} of the calling module: {@code conf/config.yaml},
 * one log per process (kept after {@link #close()} for post-mortems), checkpoints and temporary files (deleted on
 * close). A shutdown hook, and a watchdog in every cluster JVM that halts it when its stdin (a pipe from the test
 * JVM) closes, make sure no cluster process outlives the JVM that started it, even one killed with SIGKILL.
 */
public final class FlinkProcessCluster implements AutoCloseable {

    /** System property naming the directory under which cluster directories are created (default: target/). */
    public static final String WORK_DIR_PROPERTY = "impflow.flink.workDir";

    /** Resource, next to this class, that lists the cluster JVMs' classpath. */
    static final String CLASSPATH_RESOURCE = "flink-cluster.classpath";

    private static final String JOB_MANAGER_ENTRYPOINT =
            "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    private static final String TASK_MANAGER_ENTRYPOINT = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
    private static final String BASH_JAVA_UTILS = "org.apache.flink.runtime.util.bash.BashJavaUtils";
    private static final String BASH_JAVA_UTILS_RESULT = "BASH_JAVA_UTILS_EXEC_RESULT:";
    /** DJL offline with one native thread, as the project's tests and the deployment guide run it. */
    private static final List<String> DJL_PROPERTIES = List.of("-Dai.djl.offline=true",
            "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1");
    /** The module openings that flink-dist's config.yaml passes to every Flink JVM ({@code env.java.opts.all}). */
    private static final List<String> MODULE_OPENINGS = List.of("--add-exports=java.base/sun.net.util=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED", "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");
    private static final Map<String, String> DJL_ENVIRONMENT = Map.of("OMP_NUM_THREADS", "1",
            "OPT_OUT_TRACKING", "true");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
    private static final int LOG_TAIL_LINES = 30;

    private final Path workDirectory;
    private final Path configDirectory;
    private final String classpath;
    private final List<String> taskManagerParameters;
    private final ClusterProcess jobManager;
    private final Map<String, ClusterProcess> taskManagers = new LinkedHashMap<>();
    private final FlinkRestClient rest;
    private final ExitHook exitHook;
    private int taskManagersStarted;

    private FlinkProcessCluster(Path workDirectory, String classpath, List<String> taskManagerParameters,
            ClusterProcess jobManager, URI restAddress) {
        this.workDirectory = workDirectory;
        this.configDirectory = workDirectory.resolve("conf");
        this.classpath = classpath;
        this.taskManagerParameters = taskManagerParameters;
        this.jobManager = jobManager;
        this.rest = new FlinkRestClient(restAddress, this::logHint);
        this.exitHook =
                ExitHook.install("impflow-flink-cluster-stop-" + workDirectory.getFileName(), this::destroyAll);
    }

    /**
     * Returns a builder for a cluster under {@code target/} of the current module (or {@value #WORK_DIR_PROPERTY}).
     *
     * @return a builder with one TaskManager of two slots
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the client of the JobManager's REST API.
     *
     * @return the REST client
     */
    public FlinkRestClient rest() {
        return rest;
    }

    /**
     * Returns the cluster's directory: {@code conf/}, the process logs, checkpoints and temporary files.
     *
     * @return the work directory
     */
    public Path workDirectory() {
        return workDirectory;
    }

    /**
     * Returns the checkpoint directory configured as {@code execution.checkpointing.dir}; deleted on close.
     *
     * @return the checkpoint directory
     */
    public Path checkpointDirectory() {
        return workDirectory.resolve("checkpoints");
    }

    /**
     * Returns the log file of the JobManager, or of the TaskManager with this resource id; it stays after close.
     *
     * @param process {@code jobmanager} or a TaskManager's resource id
     * @return the process's log (stdout and stderr)
     */
    public Path logFile(String process) {
        return workDirectory.resolve(process + ".log");
    }

    /**
     * Returns the resource ids of the TaskManager processes this cluster started that are still alive.
     *
     * @return live TaskManagers, oldest first
     */
    public synchronized List<String> liveTaskManagers() {
        return taskManagers.entrySet().stream().filter(e -> e.getValue().jvm.process().isAlive())
                .map(Map.Entry::getKey).collect(Collectors.toList());
    }

    /**
     * Starts one more TaskManager and waits until it has registered with the JobManager.
     *
     * @return its resource id ({@code taskmanager-<n>}, also the name of its log file)
     * @throws FlinkClusterException if it exits or does not register in time; the message quotes its log
     */
    public String startTaskManager() {
        String id = launchTaskManager();
        awaitRegistered(List.of(id));
        return id;
    }

    /**
     * Kills a TaskManager with SIGKILL (no shutdown of any kind, as when its machine dies) and waits until the
     * process is gone.
     *
     * @param id the TaskManager's resource id
     * @return the process's exit status (137 for SIGKILL)
     * @throws FlinkClusterException if no live TaskManager has that id
     */
    public int killTaskManager(String id) {
        ChildJvm taskManager;
        synchronized (this) {
            taskManager = taskManagers.containsKey(id) ? taskManagers.get(id).jvm : null;
        }
        if (taskManager == null || !taskManager.process().isAlive()) {
            throw new FlinkClusterException("No live TaskManager " + id + " to kill; live ones: " + liveTaskManagers());
        }
        taskManager.kill();
        return taskManager.awaitExit(STOP_TIMEOUT);
    }

    /**
     * Names every log of the cluster, for failure messages.
     *
     * @return a sentence listing the JobManager's and TaskManagers' log files
     */
    public String logHint() {
        List<String> names = new ArrayList<>(List.of("jobmanager"));
        synchronized (this) {
            names.addAll(taskManagers.keySet());
        }
        return "Flink cluster logs: " + names.stream().map(n -> logFile(n).toString()).collect(Collectors.joining(", "));
    }

    /**
     * Kills every cluster process and deletes checkpoints and temporary files; {@code conf/} and the logs stay.
     * Idempotent. Nothing is shut down gracefully: the cluster's state is discarded, so nothing is worth flushing.
     */
    @Override
    public void close() {
        if (!exitHook.remove()) {
            return;
        }
        destroyAll();
        List<ClusterProcess> all = new ArrayList<>(List.of(jobManager));
        synchronized (this) {
            all.addAll(taskManagers.values());
        }
        for (ClusterProcess started : all) {
            started.jvm.awaitExit(STOP_TIMEOUT);
        }
        for (String data : List.of("checkpoints", "tmp", "web-upload", "blobs")) {
            Path directory = workDirectory.resolve(data);
            try {
                FileTree.delete(directory);
            } catch (IOException e) {
                throw new FlinkClusterException("Could not delete " + directory + ": " + e.getMessage()
                        + "; delete it by hand", e);
            }
        }
    }

    @Override
    public String toString() {
        return "Flink session cluster (JobManager pid " + jobManager.jvm.process().pid() + ", REST " + rest.address()
                + ", TaskManagers " + liveTaskManagers() + ", directory " + workDirectory + ")";
    }

    private synchronized String launchTaskManager() {
        String id = "taskmanager-" + (++taskManagersStarted);
        List<String> command = new ArrayList<>(List.of(ChildJvm.javaExecutable()));
        command.addAll(Arrays.asList(taskManagerParameters.get(0).split(" ")));
        command.addAll(processOptions(id));
        command.addAll(List.of("-cp", classpath, FlinkProcessMain.class.getName(), TASK_MANAGER_ENTRYPOINT,
                "--configDir", configDirectory.toString(), "-D", "taskmanager.resource-id=" + id));
        command.addAll(dynamicProperties(taskManagerParameters.get(1)));
        taskManagers.put(id, new ClusterProcess("TaskManager " + id, command, workDirectory, logFile(id)));
        return id;
    }

    private void awaitRegistered(List<String> ids) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            for (String id : ids) {
                ClusterProcess process;
                synchronized (this) {
                    process = taskManagers.get(id);
                }
                process.checkAlive();
            }
            if (rest.taskManagerIds().containsAll(ids)) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new FlinkClusterException("TaskManagers " + ids + " did not register with the JobManager within "
                        + READY_TIMEOUT.toSeconds() + " s (registered: " + rest.taskManagerIds() + "); " + logHint());
            }
            sleep(200);
        }
    }

    private void awaitJobManager() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            jobManager.checkAlive();
            try {
                rest.get("/overview");
                return;
            } catch (FlinkClusterException e) {
                if (System.nanoTime() - deadline > 0) {
                    throw new FlinkClusterException("The JobManager's REST API did not answer at " + rest.address()
                            + " within " + READY_TIMEOUT.toSeconds() + " s; its log " + logFile("jobmanager")
                            + " ends with:\n" + ProcessLog.tail(logFile("jobmanager"), LOG_TAIL_LINES), e);
                }
            }
            sleep(200);
        }
    }

    private void destroyAll() {
        synchronized (this) {
            taskManagers.values().forEach(started -> started.jvm.kill());
        }
        jobManager.jvm.kill();
    }

    private static FlinkProcessCluster start(Builder builder) {
        Path workDirectory = builder.workRoot.toAbsolutePath().normalize().resolve("flink-" + UUID.randomUUID());
        Path configDirectory = workDirectory.resolve("conf");
        String classpath = ChildClasspath.fromResource(FlinkProcessCluster.class, CLASSPATH_RESOURCE,
                "Flink cluster", FlinkProcessMain.class, FlinkClusterException::new);
        int[] ports;
        try {
            ports = LoopbackPorts.free(2);
        } catch (IOException e) {
            throw new FlinkClusterException("Could not find free loopback ports for the JobManager: "
                    + e.getMessage(), e);
        }
        try {
            Files.createDirectories(configDirectory);
            Files.writeString(configDirectory.resolve("config.yaml"), configYaml(builder, workDirectory, ports),
                    StandardCharsets.UTF_8);
            Files.writeString(configDirectory.resolve("log4j2.properties"), LOG4J_CONFIG, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new FlinkClusterException("Could not write the Flink configuration under " + configDirectory + ": "
                    + e.getMessage() + "; check that the directory is writable", e);
        }
        // The memory flags of both kinds of process, computed by Flink as its start scripts do, in parallel.
        CompletableFuture<List<String>> taskManagerParameters = CompletableFuture.supplyAsync(
                () -> resourceParameters("GET_TM_RESOURCE_PARAMS", classpath, configDirectory, workDirectory));
        List<String> jobManagerParameters =
                resourceParameters("GET_JM_RESOURCE_PARAMS", classpath, configDirectory, workDirectory);
        List<String> command = new ArrayList<>(List.of(ChildJvm.javaExecutable()));
        command.addAll(Arrays.asList(jobManagerParameters.get(0).split(" ")));
        command.addAll(processOptions("jobmanager", configDirectory, workDirectory));
        command.addAll(List.of("-cp", classpath, FlinkProcessMain.class.getName(), JOB_MANAGER_ENTRYPOINT,
                "--configDir", configDirectory.toString(), "--executionMode", "cluster"));
        command.addAll(dynamicProperties(jobManagerParameters.get(1)));
        ClusterProcess jobManager =
                new ClusterProcess("the JobManager", command, workDirectory, workDirectory.resolve("jobmanager.log"));
        URI restAddress = URI.create("http://" + LoopbackPorts.host() + ":" + ports[1]);
        FlinkProcessCluster cluster =
                new FlinkProcessCluster(workDirectory, classpath, taskManagerParameters.join(), jobManager, restAddress);
        try {
            // TaskManagers start once the JobManager answers: started together, on a busy machine, they starve
            // each other.
            cluster.awaitJobManager();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < builder.taskManagers; i++) {
                ids.add(cluster.launchTaskManager());
            }
            cluster.awaitRegistered(ids);
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private static String configYaml(Builder builder, Path workDirectory, int[] ports) {
        String host = LoopbackPorts.host();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("jobmanager.rpc.address", host);
        settings.put("jobmanager.rpc.port", String.valueOf(ports[0]));
        settings.put("jobmanager.bind-host", host);
        settings.put("rest.address", host);
        settings.put("rest.bind-address", host);
        settings.put("rest.port", String.valueOf(ports[1]));
        settings.put("taskmanager.host", host);
        settings.put("taskmanager.bind-host", host);
        settings.put("taskmanager.numberOfTaskSlots", String.valueOf(builder.slotsPerTaskManager));
        // Small processes for a shared 2-core machine; BashJavaUtils derives and validates every other size.
        settings.put("jobmanager.memory.process.size", "1024m");
        settings.put("taskmanager.memory.process.size", "1536m");
        settings.put("taskmanager.memory.managed.size", "64m");
        settings.put("execution.checkpointing.dir", workDirectory.resolve("checkpoints").toUri().toString());
        settings.put("io.tmp.dirs", workDirectory.resolve("tmp").toString());
        settings.put("web.upload.dir", workDirectory.resolve("web-upload").toString());
        settings.put("blob.storage.directory", workDirectory.resolve("blobs").toString());
        // A killed TaskManager is noticed within seconds by its refused heartbeat RPCs, while a live one that a
        // busy machine starves for a while is not taken for dead: a long timeout, but only two failed RPCs.
        settings.put("heartbeat.interval", "1 s");
        settings.put("heartbeat.timeout", "60 s");
        settings.put("heartbeat.rpc-failure-threshold", "2");
        // On a loaded 2-core machine a JVM may take a minute to start its RPC system (default limit: 10 s).
        settings.put("pekko.startup-timeout", "120 s");
        settings.put("pekko.ask.timeout", "60 s");
        settings.putAll(builder.settings);
        StringBuilder yaml = new StringBuilder("# Flink test cluster written by impflow testkit\n");
        settings.forEach((key, value) -> yaml.append(key).append(": '").append(value.replace("'", "''"))
                .append("'\n"));
        return yaml.toString();
    }

    /** Logging of every cluster JVM: stdout, which the cluster writes to the process's log file. */
    private static final String LOG4J_CONFIG = String.join("\n",
            "# Logging of a test Flink process: everything to stdout, which FlinkProcessCluster writes to its log.",
            "status = warn",
            "appender.stdout.type = Console",
            "appender.stdout.name = STDOUT",
            "appender.stdout.layout.type = PatternLayout",
            "appender.stdout.layout.pattern = %d{HH:mm:ss.SSS} %-5p [%t] %c - %m%n",
            "rootLogger.level = INFO",
            "rootLogger.appenderRef.stdout.ref = STDOUT",
            "# Kafka clients log their whole configuration for every (transactional) producer.",
            "logger.kafka.name = org.apache.kafka",
            "logger.kafka.level = WARN",
            "");

    private List<String> processOptions(String name) {
        return processOptions(name, configDirectory, workDirectory);
    }

    private static List<String> processOptions(String name, Path configDirectory, Path workDirectory) {
        // C1 only and the serial collector: cluster JVMs start in about half the time on a busy 2-core machine, and
        // the small jobs of tests do not need C2's peak speed.
        List<String> options = new ArrayList<>(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-XX:+ExitOnOutOfMemoryError",
                "-Djava.awt.headless=true", "-Dlog.file=" + workDirectory.resolve(name + ".log"),
                "-Dlog4j.configurationFile=" + configDirectory.resolve("log4j2.properties").toUri()));
        options.addAll(MODULE_OPENINGS);
        options.addAll(DJL_PROPERTIES);
        return options;
    }

    /** The two result lines of BashJavaUtils: the JVM flags, then the dynamic properties for the entrypoint. */
    private static List<String> resourceParameters(String command, String classpath, Path configDirectory,
            Path workDirectory) {
        Path log = workDirectory.resolve("bash-java-utils-" + command + ".log");
        ChildJvm process = ChildJvm.start("BashJavaUtils " + command, List.of(ChildJvm.javaExecutable(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", classpath, BASH_JAVA_UTILS, command,
                "--configDir", configDirectory.toString()), workDirectory, log, DJL_ENVIRONMENT,
                FlinkClusterException::new);
        int status = process.awaitExit(STOP_TIMEOUT);
        List<String> results;
        try {
            results = Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                    .filter(line -> line.startsWith(BASH_JAVA_UTILS_RESULT))
                    .map(line -> line.substring(BASH_JAVA_UTILS_RESULT.length()).trim())
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (status != 0 || results.size() < 2) {
            throw new FlinkClusterException("Flink's BashJavaUtils " + command + " (exit status " + status
                    + ") found no valid memory configuration in " + configDirectory.resolve("config.yaml")
                    + "; its output " + log + " ends with:\n" + ProcessLog.tail(log, LOG_TAIL_LINES));
        }
        return results.subList(results.size() - 2, results.size());
    }

    private static List<String> dynamicProperties(String line) {
        return line.isBlank() ? List.of() : Arrays.asList(line.trim().split("\\s+"));
    }

    /**
     * A JobManager or TaskManager JVM, started again (same command, same log) when its RPC system did not start in
     * time: Flink 2.2 passes its {@code pekko.startup-timeout} to a key that Pekko's classic remoting does not read,
     * so remoting start-up is fixed at 10 s, which a loaded 2-core machine can exceed.
     */
    private static final class ClusterProcess {
        private static final String RPC_STARTUP_TIMED_OUT = "Could not create actor system";
        private static final int ATTEMPTS = 3;

        private final String name;
        private final List<String> command;
        private final Path directory;
        private final Path log;
        private int attempts = 1;
        volatile ChildJvm jvm;

        ClusterProcess(String name, List<String> command, Path directory, Path log) {
            this.name = name;
            this.command = command;
            this.directory = directory;
            this.log = log;
            this.jvm = launch();
        }

        private ChildJvm launch() {
            return ChildJvm.start(name, command, directory, log, DJL_ENVIRONMENT, FlinkClusterException::new);
        }

        /** Throws unless the process is alive, after starting it again if its RPC start-up merely timed out. */
        synchronized void checkAlive() {
            Process process = jvm.process();
            if (process.isAlive()) {
                return;
            }
            if (attempts < ATTEMPTS && ProcessLog.contains(log, RPC_STARTUP_TIMED_OUT)) {
                attempts++;
                jvm = launch();
                return;
            }
            throw new FlinkClusterException(name + " (pid " + process.pid() + ") exited with status "
                    + process.exitValue() + " (attempt " + attempts + " of " + ATTEMPTS + "); its log " + log
                    + " ends with:\n" + ProcessLog.tail(log, LOG_TAIL_LINES));
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FlinkClusterException("Interrupted while waiting for the Flink cluster", e);
        }
    }

    private static Path defaultWorkRoot() {
        return WorkRoot.resolve(WORK_DIR_PROPERTY);
    }

    /** Settings of a cluster to start. */
    public static final class Builder {
        private int taskManagers = 1;
        private int slotsPerTaskManager = 2;
        private Path workRoot = defaultWorkRoot();
        private final Map<String, String> settings = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Sets how many TaskManagers start with the cluster.
         *
         * @param count at least 1
         * @return this builder
         */
        public Builder taskManagers(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("a cluster needs at least one TaskManager, got " + count);
            }
            this.taskManagers = count;
            return this;
        }

        /**
         * Sets {@code taskmanager.numberOfTaskSlots}.
         *
         * @param slots at least 1
         * @return this builder
         */
        public Builder slotsPerTaskManager(int slots) {
            if (slots < 1) {
                throw new IllegalArgumentException("a TaskManager needs at least one slot, got " + slots);
            }
            this.slotsPerTaskManager = slots;
            return this;
        }

        /**
         * Adds or overrides a {@code config.yaml} setting, e.g. {@code restart-strategy.type: fixed-delay}.
         *
         * @param key   the Flink option's key
         * @param value its value, as it would be written in {@code config.yaml}
         * @return this builder
         */
        public Builder setting(String key, String value) {
            settings.put(key, value);
            return this;
        }

        /**
         * Sets the directory that receives the cluster's directory {@code flink-<uuid>}.
         *
         * @param directory created when missing
         * @return this builder
         */
        public Builder workRoot(Path directory) {
            this.workRoot = directory;
            return this;
        }

        /**
         * Starts the JobManager and the TaskManagers and waits until every TaskManager has registered.
         *
         * @return the running cluster
         * @throws FlinkClusterException if a process cannot be started or does not become ready; the message names
         *                               the logs
         */
        public FlinkProcessCluster start() {
            return FlinkProcessCluster.start(this);
        }
    }
}
