package io.impflow.testkit.kafka;

/** Thrown when a test Kafka broker cannot be started, reached, or prepared (topics, leaders). */
public class KafkaClusterException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what went wrong, where, and what to do about it
     */
    public KafkaClusterException(String message) {
        super(message);
    }

    /**
     * Creates the exception with its cause.
     *
     * @param message what went wrong, where, and what to do about it
     * @param cause   the underlying failure
     */
    public KafkaClusterException(String message, Throwable cause) {
        super(message, cause);
    }
}
