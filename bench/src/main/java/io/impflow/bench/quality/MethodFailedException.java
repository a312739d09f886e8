package io.impflow.bench.quality;

/** A detection method could not fit or score a split; the message says which method, dataset part and why. */
public class MethodFailedException extends Exception {

  private static final long serialVersionUID = 1L;

  /** A failure with a complete message. */
  public MethodFailedException(String message, Throwable cause) {
    super(message, cause);
  }

  /** A failure with a complete message and no underlying exception. */
  public MethodFailedException(String message) {
    super(message);
  }
}
