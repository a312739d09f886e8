package io.impflow.testkit.flink;

/** Thrown when the test Flink cluster cannot be started, reached, or asked to do something over its REST API. */
public class FlinkClusterException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what went wrong, where (including the cluster's log files), and what to do about it
     */
    public FlinkClusterException(String message) {
        super(message);
    }

    /**
     * Creates the exception with its cause.
     *
     * @param message what went wrong, where (including the cluster's log files), and what to do about it
     * @param cause   the underlying failure
     */
    public FlinkClusterException(String message, Throwable cause) {
        super(message, cause);
    }
}
