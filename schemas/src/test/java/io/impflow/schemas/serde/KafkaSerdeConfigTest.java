package io.impflow.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.impflow.schemas.avro.FeatureVector;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class KafkaSerdeConfigTest {

  @Test
  void missingRecordClassSaysWhichPropertyToSet() {
    assertThatThrownBy(() -> new AvroSingleObjectDeserializer<FeatureVector>().configure(Map.of(), false))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(KafkaSerdeConfig.RECORD_CLASS)
        .hasMessageContaining("io.impflow.schemas.avro.FeatureVector");
  }

  @Test
  void recordClassMustBeAGeneratedAvroRecord() {
    assertThatThrownBy(() -> new AvroBinarySerializer<FeatureVector>()
        .configure(Map.of(KafkaSerdeConfig.RECORD_CLASS, "java.lang.String"), false))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("not a generated Avro SpecificRecord class");
    assertThatThrownBy(() -> new AvroBinarySerializer<FeatureVector>()
        .configure(Map.of(KafkaSerdeConfig.RECORD_CLASS, "com.example.Missing"), false))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("com.example.Missing");
  }

  @Test
  void unconfiguredNoArgSerdeRefusesToGuess() {
    assertThatThrownBy(() -> new AvroSingleObjectSerializer<FeatureVector>()
        .serialize("events", SampleRecords.featureVector()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(KafkaSerdeConfig.RECORD_CLASS);
  }

  @Test
  void writerSchemaPropertyLetsThePlainBinaryDeserializerReadAnOlderVersion() {
    Schema v0 = SchemaResources.load("FeatureVector-v0.avsc");
    AvroBinaryDeserializer<FeatureVector> deserializer = new AvroBinaryDeserializer<>();
    deserializer.configure(Map.of(KafkaSerdeConfig.RECORD_CLASS, FeatureVector.class,
        KafkaSerdeConfig.WRITER_SCHEMA, v0.toString()), false);
    byte[] v0Body = PlainBinaryCodec.forGeneric(v0, v0).encode(new GenericRecordBuilder(v0).set("id", "v0")
        .set("timestamp", 5L).set("features", List.of(2.5)).build());

    FeatureVector decoded = deserializer.deserialize("events", v0Body);

    assertThat(decoded.getId()).isEqualTo("v0");
    assertThat(decoded.getFeatures()).containsExactly(2.5);
    assertThat(decoded.getAttributes()).isEmpty();
    assertThatThrownBy(() -> new AvroBinaryDeserializer<FeatureVector>().configure(Map.of(
        KafkaSerdeConfig.RECORD_CLASS, FeatureVector.class, KafkaSerdeConfig.WRITER_SCHEMA, "{not json"), false))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(KafkaSerdeConfig.WRITER_SCHEMA);
  }
}
