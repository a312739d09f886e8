package io.impflow.trainer.data;

/** Input data that cannot be used, with a message that says where (file, line, column, topic) and what to do. */
public class DataSourceException extends Exception {

  private static final long serialVersionUID = 1L;

  /** An error with a complete user-facing message. */
  public DataSourceException(String message) {
    super(message);
  }

  /** An error with a complete user-facing message and its cause. */
  public DataSourceException(String message, Throwable cause) {
    super(message, cause);
  }
}
