package io.impflow.trainer.fit;

/** The requested training device does not exist on this host. */
public class DeviceUnavailableException extends Exception {

  private static final long serialVersionUID = 1L;

  /** An error with a complete user-facing message. */
  public DeviceUnavailableException(String message) {
    super(message);
  }
}
