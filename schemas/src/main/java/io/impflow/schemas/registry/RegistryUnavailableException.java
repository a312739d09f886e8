package io.impflow.schemas.registry;

/**
 * Raised when no schema registry answered within the configured wait: not the record's fault, so it must never turn
 * a record into a dead letter; the caller fails (and Flink restarts from its checkpoint) instead.
 */
public class RegistryUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The failure, saying which registries were tried, for how long, and the last error. */
  public RegistryUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
