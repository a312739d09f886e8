package io.impflow.testkit.process;

/** Makes the harness's own exception type (e.g. {@code KafkaClusterException}) for a failure in this package. */
@FunctionalInterface
public interface ProcessFailure {

    /**
     * Creates the exception to throw.
     *
     * @param message what went wrong, where, and what to do about it
     * @param cause   the underlying failure, or {@code null}
     * @return the exception
     */
    RuntimeException create(String message, Throwable cause);
}
