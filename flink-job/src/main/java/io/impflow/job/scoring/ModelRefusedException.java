package io.impflow.job.scoring;

/** Raised when a model artifact cannot be served: unreadable, corrupt, or not the model that was announced. */
public class ModelRefusedException extends Exception {
  private static final long serialVersionUID = 1L;

  /** A refusal saying which artifact and why. */
  public ModelRefusedException(String message) {
    super(message);
  }

  /** A refusal caused by a lower-level failure. */
  public ModelRefusedException(String message, Throwable cause) {
    super(message, cause);
  }
}
