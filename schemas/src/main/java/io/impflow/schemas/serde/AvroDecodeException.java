package io.impflow.schemas.serde;

import io.impflow.schemas.avro.DeadLetterReason;
import java.util.Objects;

/** Raised when bytes cannot be decoded into a record; carries the dead-letter reason for the record. */
public class AvroDecodeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final DeadLetterReason reason;

  /** A decode failure with its dead-letter reason and a message that says what was wrong. */
  public AvroDecodeException(DeadLetterReason reason, String message) {
    this(reason, message, null);
  }

  /** A decode failure caused by a lower-level exception. */
  public AvroDecodeException(DeadLetterReason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** The dead-letter reason code for the record that failed to decode. */
  public DeadLetterReason reason() {
    return reason;
  }

  /**
   * The same failure with where it happened (for example {@code "topic events"} or {@code "events-2@1041"})
   * put in front of the message.
   */
  public AvroDecodeException at(String where) {
    AvroDecodeException located = new AvroDecodeException(reason, where + ": " + getMessage(), getCause());
    located.setStackTrace(getStackTrace());
    return located;
  }
}
