package io.impflow.job.decode;

import io.impflow.schemas.avro.DeadLetterReason;
import java.util.Objects;

/** Raised when a decoded record cannot be scored; carries the dead-letter reason and says what was wrong. */
public class RecordRejectedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final DeadLetterReason reason;

  /** A rejection with its dead-letter reason and a message naming the offending field or value. */
  public RecordRejectedException(DeadLetterReason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** The dead-letter reason code. */
  public DeadLetterReason reason() {
    return reason;
  }
}
