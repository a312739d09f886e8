package io.impflow.job.config;

/** Raised when the job's command line is invalid; the message names the flag, the value and what is expected. */
public class JobConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** A configuration error with a message that says which flag was wrong and how to fix it. */
  public JobConfigException(String message) {
    super(message);
  }

  /** A configuration error caused by a lower-level failure (for example an unreadable schema file). */
  public JobConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
