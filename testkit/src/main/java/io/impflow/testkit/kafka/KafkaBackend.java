package io.impflow.testkit.kafka;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.testcontainers.DockerClientFactory;

/** Where a {@link KafkaCluster} runs its broker; chosen with the system property {@value #PROPERTY}. */
public enum KafkaBackend {

    /** A KRaft broker started as a separate JVM from the {@code kafka_2.13} jars. */
    PROCESS("process"),

    /** A Testcontainers {@code apache/kafka} container; needs a Docker engine. */
    CONTAINER("container"),

    /** {@link #CONTAINER} when a Docker engine answers, else {@link #PROCESS}. */
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
     * Turns {@link #AUTO} into a concrete backend by asking whether a Docker engine answers.
     *
     * @return {@link #PROCESS} or {@link #CONTAINER}
     */
    public KafkaBackend resolve() {
        if (this != AUTO) {
            return this;
        }
        return DockerClientFactory.instance().isDockerAvailable() ? CONTAINER : PROCESS;
    }
}
