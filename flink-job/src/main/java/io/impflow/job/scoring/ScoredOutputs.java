package io.impflow.job.scoring;

import io.impflow.schemas.avro.Alert;
import io.impflow.schemas.avro.DeadLetter;
import io.impflow.schemas.avro.ScoredEvent;

/** Where the router sends each scored record: the scores stream, the alerts stream, the dead-letter stream. */
public interface ScoredOutputs {

  /** A scored record (every record the model scored). */
  void score(ScoredEvent event);

  /** An anomaly, in addition to its score. */
  void alert(Alert alert);

  /** A record the model could not score. */
  void deadLetter(DeadLetter deadLetter);
}
