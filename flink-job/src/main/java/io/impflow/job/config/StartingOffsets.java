package io.impflow.job.config;

/** Where the job starts reading the input topic when no checkpoint is restored. */
public enum StartingOffsets {
  /** The consumer group's committed offsets, or the earliest offset where the group has none. */
  COMMITTED("committed"),
  /** The earliest offset of every partition. */
  EARLIEST("earliest"),
  /** The end of every partition: only records produced after start-up. */
  LATEST("latest");

  private final String flagValue;

  StartingOffsets(String flagValue) {
    this.flagValue = flagValue;
  }

  /** The spelling used on the command line. */
  public String flagValue() {
    return flagValue;
  }

  static StartingOffsets fromFlag(String value) {
    for (StartingOffsets offsets : values()) {
      if (offsets.flagValue.equals(value)) {
        return offsets;
      }
    }
    throw new JobConfigException("--starting-offsets must be committed, earliest or latest, got '" + value + "'");
  }
}
