package io.impflow.testkit.kafka;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.testcontainers.DockerClientFactory;

/** Where a {@link KafkaCluster} runs its broker; chosen with the system property {@value #PROPERTY}. */
public enum KafkaBackend {

    /** A KRaft broker started as a separate JVM from the {@code kafka_2.13} jars. */
    PROCESS("process"),

    /** A Testcontainers Kafka container ({@link KafkaContainerCluster}); needs a Docker engine and a local image. */
    CONTAINER("container"),

    /** {@link #CONTAINER} when a Docker engine answers and holds the broker image, else {@link #PROCESS}. */
    AUTO("auto");

    /** The system property that selects the backend for {@link KafkaCluster#start()}. */
    public static final String PROPERTY = "impflow.kafka.backend";

    private final String id;

    KafkaBackend(String id) {
        this.id = id;
    }

    /**
     * Returns the name used in {@value #PROPERTY} and by {@link KafkaCluster#backend()}.
     *
     * @return "process", "container" or "auto"
     */
    public String id() {
        return id;
    }

    /**
     * Parses a backend name as written in {@value #PROPERTY}.
     *
     * @param value the name, case-insensitive, surrounding blanks ignored
     * @return the backend
     * @throws IllegalArgumentException if the name is not one of the backends
     */
    public static KafkaBackend parse(String value) {
        String wanted = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        for (KafkaBackend backend : values()) {
            if (backend.id.equals(wanted)) {
                return backend;
            }
        }
        throw new IllegalArgumentException("-D" + PROPERTY + " must be one of "
                + Arrays.stream(values()).map(KafkaBackend::id).collect(Collectors.joining(", "))
                + "; got '" + value + "'");
    }

    /**
     * Reads {@value #PROPERTY}; {@link #AUTO} when it is not set.
     *
     * @return the configured backend
     */
    public static KafkaBackend fromSystemProperty() {
        String value = System.getProperty(PROPERTY);
        return value == null || value.isBlank() ? AUTO : parse(value);
    }

    /**
     * Turns {@link #AUTO} into a concrete backend: {@link #CONTAINER} when Testcontainers pulls nothing of its own
     * ({@link KafkaContainerCluster#pullFree()}) and a
     * Docker engine answers and already holds the broker image ({@link KafkaContainerCluster#image()}), else
     * {@link #PROCESS}, saying why on stderr. Nothing is pulled, so the answer takes seconds even where no registry
     * is reachable.
     *
     * @return {@link #PROCESS} or {@link #CONTAINER}
     */
    public KafkaBackend resolve() {
        if (this != AUTO) {
            return this;
        }
        if (!KafkaContainerCluster.pullFree()) {
            // Asking Testcontainers whether Docker answers could pull images (Ryuk, the checks' alpine), which
            // takes minutes to fail where no registry is reachable.
            System.err.println("impflow testkit: using the process backend; -D" + PROPERTY + "=auto picks a local"
                    + " Kafka image only where Testcontainers pulls nothing of its own ("
                    + KafkaContainerCluster.RYUK_DISABLED + "=true, " + KafkaContainerCluster.CHECKS_DISABLED
                    + "=true, inside a container also " + KafkaContainerCluster.HOST_OVERRIDE + ")");
            return PROCESS;
        }
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            return PROCESS;
        }
        if (KafkaContainerCluster.imagePresent()) {
            return CONTAINER;
        }
        System.err.println("impflow testkit: a Docker engine answers but holds no image "
                + KafkaContainerCluster.image() + "; using the process backend (build the image with docker/build.sh"
                + " --local-base, or set -D" + KafkaContainerCluster.IMAGE_PROPERTY + ")");
        return PROCESS;
    }
}
