package io.impflow.job.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.impflow.job.config.JobConfig;
import io.impflow.job.config.JobConfigException;
import io.impflow.schemas.avro.DeadLetter;
import io.impflow.schemas.avro.DeadLetterReason;
import io.impflow.schemas.serde.SchemaStore;
import io.impflow.schemas.serde.SingleObjectCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class NamedFieldDecoderTest {
  /** A user's record: features under their own names and types, in another order, among non-feature fields. */
  public static final String SENSOR_SCHEMA = "{\"type\":\"record\",\"name\":\"SensorReading\",\"namespace\":\"acme\","
      + "\"fields\":["
      + "{\"name\":\"sensor\",\"type\":\"string\"},"
      + "{\"name\":\"site\",\"type\":\"string\"},"
      + "{\"name\":\"pressure\",\"type\":\"float\"},"
      + "{\"name\":\"temperature\",\"type\":\"double\"},"
      + "{\"name\":\"event_time\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}},"
      + "{\"name\":\"count\",\"type\":\"int\"},"
      + "{\"name\":\"humidity\",\"type\":[\"null\",\"double\"],\"default\":null}]}";
  public static final List<String> MODEL_FEATURES = List.of("temperature", "humidity", "pressure", "count");

  @TempDir
  Path dir;

  private final Schema schema = new Schema.Parser().parse(SENSOR_SCHEMA);

  private JobConfig config(String... extra) throws Exception {
    Path avsc = Files.writeString(dir.resolve("sensor.avsc"), SENSOR_SCHEMA);
    List<String> args = new ArrayList<>(List.of("--model", dir.toString(), "--input-schema", avsc.toString()));
    args.addAll(List.of(extra));
    return JobConfig.parse(args.toArray(new String[0]));
  }

  private byte[] reading(String sensor, Double humidity) {
    GenericRecord record = new GenericData.Record(schema);
    record.put("sensor", sensor);
    record.put("site", "plant-4");
    record.put("pressure", 1013.25f);
    record.put("temperature", 21.5);
    record.put("event_time", 1_700_000_000_000L);
    record.put("count", 7);
    record.put("humidity", humidity);
    return SingleObjectCodec.forGeneric(schema, SchemaStore.empty()).encode(record);
  }

  @Test
  void readsFeaturesByNameInTheModelsOrder() throws Exception {
    InputSpec spec = InputSpec.of(config("--id-field", "sensor", "--timestamp-field", "event_time"),
        MODEL_FEATURES);
    FeatureRecord record = spec.decoder().decode(new RawRecord("in", 0, 5, 1L, null, reading("s-9", 0.4)));
    assertThat(record.id).isEqualTo("s-9");
    assertThat(record.timestamp).isEqualTo(1_700_000_000_000L);
    assertThat(record.features).containsExactly(21.5, 0.4, 1013.25, 7.0);
  }

  @Test
  void withoutIdAndTimestampFieldsFallsBackToThePositionAndKafkaTime() throws Exception {
    FeatureRecord record = InputSpec.of(config(), MODEL_FEATURES).decoder()
        .decode(new RawRecord("in", 3, 17, 424242L, null, reading("s-1", 0.1)));
    assertThat(record.id).isEqualTo("in-3@17");
    assertThat(record.timestamp).isEqualTo(424242L);
  }

  @Test
  void featureFieldsOverrideMapsOtherNames() throws Exception {
    InputSpec spec = InputSpec.of(config("--feature-fields", "count,pressure"), List.of("f1", "f2"));
    FeatureRecord record = spec.decoder().decode(new RawRecord("in", 0, 0, 0L, null, reading("s", null)));
    assertThat(record.features).containsExactly(7.0, 1013.25);
  }

  @Test
  void aNullFeatureIsAMissingFeatureDeadLetter() throws Exception {
    InputSpec spec = InputSpec.of(config(), MODEL_FEATURES);
    List<FeatureRecord> out = new ArrayList<>();
    DeadLetter deadLetter = DecodeAndValidate.decodeOrReject(spec.decoder(), new FeatureRowValidator(MODEL_FEATURES),
        new RawRecord("in", 1, 8, 0L, null, reading("s-2", null)), new ListCollector<>(out));
    assertThat(out).isEmpty();
    assertThat(deadLetter.getReason()).isEqualTo(DeadLetterReason.MISSING_FEATURE);
    assertThat(deadLetter.getMessage()).contains("feature field 'humidity'");
  }

  @Test
  void aSchemaThatCannotSupplyTheModelFailsAtStartUp() throws Exception {
    assertThatThrownBy(() -> InputSpec.of(config(), List.of("temperature", "wind")))
        .isInstanceOf(JobConfigException.class)
        .hasMessageContaining("acme.SensorReading has no feature field 'wind'")
        .hasMessageContaining("--feature-fields");
    assertThatThrownBy(() -> InputSpec.of(config("--feature-fields", "temperature,site"), List.of("a", "b")))
        .hasMessageContaining("feature field 'site' has type \"string\"");
    assertThatThrownBy(() -> InputSpec.of(config("--feature-fields", "temperature"), List.of("a", "b")))
        .hasMessageContaining("--feature-fields lists 1 fields [temperature] but the model has 2 features");
    assertThatThrownBy(() -> InputSpec.of(config("--id-field", "serial"), MODEL_FEATURES))
        .hasMessageContaining("has no id field 'serial'");
  }
}
