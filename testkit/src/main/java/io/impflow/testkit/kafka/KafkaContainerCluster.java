package io.impflow.testkit.kafka;

import com.github.dockerjava.api.exception.NotFoundException;
import io.impflow.testkit.process.ExitHook;
import java.nio.file.Files;
import java.nio.file.Path;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A single-node Kafka cluster in a Testcontainers {@code KafkaContainer}; needs a Docker engine and the broker image
 * in its local store. The image is never pulled: by default it is the project's own image (built by
 * {@code docker/build.sh}, whose {@code kafka} role runs Kafka 4.2 KRaft from the same jars as the process backend
 * and follows {@code apache/kafka}'s conventions), or any {@code apache/kafka}-compatible image named by
 * {@value #IMAGE_PROPERTY}. Testcontainers' Ryuk reaper and its start-up checks run images pulled from Docker Hub,
 * so the build turns both off ({@value #RYUK_DISABLED}{@code =true} and {@value #CHECKS_DISABLED}{@code =true} in
 * the test JVMs' environment, the only switches Testcontainers reads for them) and this class removes its container
 * itself, on close and from a shutdown hook. {@link #start()} refuses to run where Testcontainers would still pull
 * ({@link #pullFree()}).
 */
public final class KafkaContainerCluster implements KafkaCluster {

    /** System property naming the broker image, e.g. {@code apache/kafka:4.2.0} where a registry is reachable. */
    public static final String IMAGE_PROPERTY = "impflow.kafka.image";

    /** The image used when {@value #IMAGE_PROPERTY} is not set: the one docker/build.sh tags. */
    public static final String DEFAULT_IMAGE = "impflow:latest";

    /** The environment variable that turns Testcontainers' Ryuk reaper off. */
    public static final String RYUK_DISABLED = "TESTCONTAINERS_RYUK_DISABLED";

    /** The environment variable that turns Testcontainers' start-up checks (an alpine container) off. */
    public static final String CHECKS_DISABLED = "TESTCONTAINERS_CHECKS_DISABLE";

    /** The environment variable naming the host where mapped container ports are reached, e.g. localhost. */
    public static final String HOST_OVERRIDE = "TESTCONTAINERS_HOST_OVERRIDE";

    private final KafkaContainer container;
    private final String image;
    private final ExitHook exitHook;

    private KafkaContainerCluster(KafkaContainer container, String image) {
        this.container = container;
        this.image = image;
        this.exitHook = ExitHook.install("impflow-kafka-container-stop", container::stop);
    }

    /**
     * Returns the broker image: {@value #IMAGE_PROPERTY}, else {@value #DEFAULT_IMAGE}.
     *
     * @return the image name
     */
    public static String image() {
        String image = System.getProperty(IMAGE_PROPERTY);
        return image == null || image.isBlank() ? DEFAULT_IMAGE : image.trim();
    }

    /**
     * Says whether Testcontainers can start a container here without pulling images of its own: its Ryuk reaper
     * and start-up checks are off ({@value #RYUK_DISABLED}, {@value #CHECKS_DISABLED}), and, inside a container
     * ({@code /.dockerenv}), {@value #HOST_OVERRIDE} names the Docker host, which Testcontainers otherwise finds by
     * running an alpine container.
     *
     * @return true when Testcontainers pulls nothing but the broker image
     */
    public static boolean pullFree() {
        return Boolean.parseBoolean(System.getenv(RYUK_DISABLED))
                && Boolean.parseBoolean(System.getenv(CHECKS_DISABLED))
                && (System.getenv(HOST_OVERRIDE) != null || !Files.exists(Path.of("/.dockerenv")));
    }

    /**
     * Says whether {@link #start()} can run here without pulling anything: Testcontainers pulls nothing of its own
     * ({@link #pullFree()}), and a Docker engine answers and holds {@link #image()} in its local store.
     *
     * @return true when the container backend is usable
     */
    public static boolean imagePresent() {
        if (!pullFree() || !DockerClientFactory.instance().isDockerAvailable()) {
            return false;
        }
        try {
            DockerClientFactory.instance().client().inspectImageCmd(image()).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    /**
     * Starts the container and waits until the broker inside it answers.
     *
     * @return the running cluster
     * @throws KafkaClusterException if Docker is unavailable, the image is not in the local store, or the container
     *                               does not start
     */
    @SuppressWarnings("resource") // closed on failure here, else by KafkaContainerCluster.close()
    public static KafkaContainerCluster start() {
        String image = image();
        if (!pullFree()) {
            throw new KafkaClusterException("Testcontainers would pull images of its own here and the container backend"
                    + " never pulls: set " + RYUK_DISABLED + "=true and " + CHECKS_DISABLED + "=true (the Maven build"
                    + " does), and inside a container also " + HOST_OVERRIDE + " (e.g. localhost when the Docker"
                    + " engine runs in the same container); or use -D" + KafkaBackend.PROPERTY + "=process");
        }
        if (!imagePresent()) {
            throw new KafkaClusterException("The Kafka image " + image + " is not in the local Docker store (or no"
                    + " Docker engine answers) and is never pulled; build it with docker/build.sh --local-base, name"
                    + " another local image with -D" + IMAGE_PROPERTY + "=..., or use -D" + KafkaBackend.PROPERTY
                    + "=process");
        }
        KafkaContainer container = new KafkaContainer(
                DockerImageName.parse(image).asCompatibleSubstituteFor("apache/kafka"))
                .withImagePullPolicy(name -> false)
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
            throw new KafkaClusterException("Could not start the Kafka container " + image + ": " + e.getMessage()
                    + "; check that a Docker engine answers (docker info) or use -D" + KafkaBackend.PROPERTY
                    + "=process", e);
        }
        return new KafkaContainerCluster(container, image);
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
        if (exitHook.remove()) {
            container.close();
        }
    }

    @Override
    public String toString() {
        return "Kafka container " + image + " (" + container.getContainerId() + ")";
    }
}
