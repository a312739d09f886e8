package io.impflow.demo;

/** The numbered steps of the demo, as the progress lines and the error messages name them. */
public enum DemoStep {
  /** Building the jars; the {@code ./impflow} launcher does it before the demo JVM starts. */
  BUILD(1, "build the jars", "run './impflow build' (or './mvnw -B install -DskipTests') and read the first error"),
  /** Starting the local Kafka broker (or reaching the given cluster) and creating the topics. */
  KAFKA(2, "start Kafka and create the topics",
      "check that Java can start another JVM and that loopback ports are free; with --bootstrap-servers, check that"
          + " the cluster is reachable from here"),
  /** Training the model, or finding a cached one that matches the data and configuration. */
  MODEL(3, "train the model (or reuse the cached one)",
      "delete .impflow/models/ to retrain from scratch, and check that datasets/shuttle.csv is intact"),
  /** Starting the Flink job on an embedded MiniCluster. */
  JOB(4, "start the Flink job on an embedded MiniCluster",
      "pick a free port with --web-port (0 = any free port) and check the log under .impflow/logs/"),
  /** Replaying the shuttle test rows and the malformed records into the input topic. */
  REPLAY(5, "replay the shuttle test rows into 'events'", "check the broker log and the topic 'events'"),
  /** Following the output topics until every record is accounted for, then summarizing. */
  RESULTS(6, "follow scores, alerts and dead letters",
      "check the Flink job's log under .impflow/logs/; raise --stall-timeout on a slow machine"),
  /** Stopping the job and the broker and removing the temporary directories. */
  SHUTDOWN(7, "shut down and clean up", "look for leftover java processes with 'ps -ef | grep impflow' and stop them");

  /** Number of steps, for "step 3/7". */
  public static final int COUNT = values().length;

  private final int number;
  private final String title;
  private final String remedy;

  DemoStep(int number, String title, String remedy) {
    this.number = number;
    this.title = title;
    this.remedy = remedy;
  }

  /** The step's number, 1 to 7. */
  public int number() {
    return number;
  }

  /** What the step does, in a few words. */
  public String title() {
    return title;
  }

  /** What a user can do when the step fails for a reason the message does not pin down. */
  public String remedy() {
    return remedy;
  }

  /** {@code step 3/7 (train the model ...)}. */
  public String label() {
    return "step " + number + "/" + COUNT + " (" + title + ")";
  }
}
