package io.impflow.job.config;

/** How the job frames the Avro records it writes (scores, alerts, dead letters, model health). */
public enum OutputEncoding {
  /** Avro single-object encoding, as the input's default. */
  SINGLE_OBJECT("single-object"),
  /**
   * Schema-registry framing (Confluent wire format), each record schema registered under {@code <topic>-value} at
   * {@code --schema-registry-url}.
   */
  CONFLUENT("confluent");

  private final String flagValue;

  OutputEncoding(String flagValue) {
    this.flagValue = flagValue;
  }

  /** The spelling used on the command line. */
  public String flagValue() {
    return flagValue;
  }

  static OutputEncoding fromFlag(String value) {
    for (OutputEncoding encoding : values()) {
      if (encoding.flagValue.equals(value)) {
        return encoding;
      }
    }
    throw new JobConfigException("--output-encoding must be single-object or confluent, got '" + value + "'");
  }
}
