package io.impflow.trainer.retrain;

import io.impflow.schemas.kafka.KafkaClientProperties;
import io.impflow.schemas.registry.RegistrySettings;
import io.impflow.trainer.fit.DeviceOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What one retraining does.
 *
 * @param bootstrapServers Kafka bootstrap servers of the input topic (and of the model-updates topic)
 * @param topic the input topic
 * @param window how far back the window reaches, or null when {@code windowRecords} is given
 * @param windowRecords the newest N records, or 0 when {@code window} is given
 * @param store the model store's root URI; its {@code latest} version is the serving model
 * @param initialModel an artifact to publish as the serving model when the store has none yet, or null
 * @param gateFraction share of the window's newest rows held out of training for the gate
 * @param gate the gate's tolerances
 * @param modelUpdatesTopic where to announce a published model, or null to only publish it
 * @param kafkaProperties extra Kafka client properties (security settings, for example)
 * @param registry the schema registry when the input topic holds schema-registry framed records, else null
 * @param keep versions the store keeps after a publication (the serving one always), or 0 to keep all
 * @param device where to train
 * @param maxSteps most optimizer steps, or null for the serving model's budget
 * @param timeBudgetSeconds training wall-time budget, or null for the serving model's
 * @param seed training seed, or null for the serving model's
 * @param featureNames feature names to train with, or null for the serving model's
 * @param report JSON report file to write, or null
 */
public record RetrainOptions(String bootstrapServers, String topic, Duration window, int windowRecords, String store,
    Path initialModel, double gateFraction, GateSettings gate, String modelUpdatesTopic,
    Map<String, String> kafkaProperties, RegistrySettings registry, int keep, DeviceOption device, Long maxSteps, Double timeBudgetSeconds,
    Long seed, List<String> featureNames, Path report) {

  /** Validates, naming the flags. */
  public RetrainOptions {
    if ((window == null) == (windowRecords <= 0)) {
      throw new IllegalArgumentException("--window DURATION or --window-records N: give exactly one");
    }
    if (window != null && (window.isNegative() || window.isZero())) {
      throw new IllegalArgumentException("--window must be positive, got " + window);
    }
    if (!(gateFraction > 0 && gateFraction < 1)) {
      throw new IllegalArgumentException("--gate-fraction must be in (0, 1), got " + gateFraction);
    }
    if (keep < 0) {
      throw new IllegalArgumentException("--keep must be >= 1 (or 0 to keep every version), got " + keep);
    }
    kafkaProperties = Map.copyOf(kafkaProperties);
    featureNames = featureNames == null ? null : List.copyOf(featureNames);
  }

  /** The record's text with secret Kafka client properties redacted. */
  @Override
  public String toString() {
    return "RetrainOptions[bootstrapServers=" + bootstrapServers + ", topic=" + topic + ", window=" + window
        + ", windowRecords=" + windowRecords + ", store=" + store + ", initialModel=" + initialModel
        + ", gateFraction=" + gateFraction + ", gate=" + gate + ", modelUpdatesTopic=" + modelUpdatesTopic
        + ", kafkaProperties=" + KafkaClientProperties.redacted(kafkaProperties) + ", registry=" + registry
        + ", keep=" + keep + ", device="
        + device + ", maxSteps=" + maxSteps + ", timeBudgetSeconds=" + timeBudgetSeconds + ", seed=" + seed
        + ", featureNames=" + featureNames + ", report=" + report + "]";
  }
}
