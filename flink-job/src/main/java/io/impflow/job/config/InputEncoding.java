package io.impflow.job.config;

/** How the Avro records on the input topic are framed. */
public enum InputEncoding {
  /** Avro single-object encoding: marker C3 01, the writer schema's 8-byte fingerprint, then the body. */
  SINGLE_OBJECT("single-object"),
  /** The bare Avro binary body, written with the one schema the job is told about. */
  BINARY("binary"),
  /**
   * Schema-registry framing (Confluent wire format): 0x00, the writer schema's 4-byte registry id, then the body;
   * the writer schema is fetched from {@code --schema-registry-url}.
   */
  CONFLUENT("confluent");

  private final String flagValue;

  InputEncoding(String flagValue) {
    this.flagValue = flagValue;
  }

  /** The spelling used on the command line. */
  public String flagValue() {
    return flagValue;
  }

  static InputEncoding fromFlag(String value) {
    for (InputEncoding encoding : values()) {
      if (encoding.flagValue.equals(value)) {
        return encoding;
      }
    }
    throw new JobConfigException("--input-encoding must be single-object, binary or confluent, got '" + value + "'");
  }
}
