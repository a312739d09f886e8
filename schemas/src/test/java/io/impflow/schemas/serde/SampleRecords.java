package io.impflow.schemas.serde;

import io.impflow.schemas.avro.Alert;
import io.impflow.schemas.avro.DeadLetter;
import io.impflow.schemas.avro.DeadLetterReason;
import io.impflow.schemas.avro.FeatureVector;
import io.impflow.schemas.avro.ModelHealth;
import io.impflow.schemas.avro.ModelUpdate;
import io.impflow.schemas.avro.ScoredEvent;
import io.impflow.schemas.avro.SourcePosition;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** One fully populated record of every top-level schema, for round-trip tests. */
final class SampleRecords {
  static final Instant T0 = Instant.parse("2026-11-29T09:30:15.123Z");

  private SampleRecords() {}

  static FeatureVector featureVector() {
    return FeatureVector.newBuilder().setId("sensor-7/000042").setTimestamp(T0)
        .setFeatures(List.of(0.5, -1.25e-300, Double.MAX_VALUE, -0.0, 3.0))
        .setAttributes(Map.of("site", "Zürich", "line", "4")).build();
  }

  static ScoredEvent scoredEvent() {
    return ScoredEvent.newBuilder().setId("sensor-7/000042").setTimestamp(T0).setModelVersion("v3")
        .setLogLikelihood(-12.75).setScore(12.75).setPValue(0.0004).setThreshold(-9.5).setIsAnomaly(true)
        .setSolverResidual(3.2e-12).setSource(new SourcePosition("events", 2, 1_041L)).build();
  }

  static Alert alert() {
    return Alert.newBuilder().setEvent(scoredEvent()).setFeatureNames(List.of("a", "b", "c"))
        .setFeatures(List.of(1.0, 2.0, 3.0)).setAttribution(List.of(-0.1, 4.5, 0.0)).build();
  }

  static DeadLetter deadLetter() {
    return DeadLetter.newBuilder().setSource(new SourcePosition("events", 0, 7L)).setKey(null)
        .setValue(ByteBuffer.wrap(new byte[] {0x7b, 0x22, 0x00, (byte) 0xff}))
        .setReason(DeadLetterReason.MALFORMED_AVRO).setMessage("no single-object marker C3 01")
        .setTimestamp(T0).build();
  }

  static ModelUpdate modelUpdate() {
    return ModelUpdate.newBuilder().setVersion("v4").setUri("file:///models/v4").setSha256("ab".repeat(32))
        .setFeatureNames(List.of("x1", "x2")).setCreatedAt(T0).build();
  }

  static ModelHealth modelHealth() {
    return ModelHealth.newBuilder().setModelVersion("v4").setWindowStart(T0).setWindowEnd(T0.plusSeconds(60))
        .setScored(1000L).setFinite(998L).setMeanLogLikelihood(-12.5).setAlerts(14L).setAlertRate(0.014)
        .setTargetFpr(0.01).setUniformityStatistic(0.21).setDriftThreshold(0.1).setDrift(true).build();
  }

  static List<SpecificRecord> all() {
    return List.of(featureVector(), scoredEvent(), alert(), deadLetter(), modelUpdate(), modelHealth());
  }
}
