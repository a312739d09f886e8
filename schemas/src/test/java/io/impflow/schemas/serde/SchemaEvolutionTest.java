package io.impflow.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.impflow.schemas.avro.DeadLetterReason;
import io.impflow.schemas.avro.FeatureVector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

class SchemaEvolutionTest {
  private static final Schema V0 = SchemaResources.load("FeatureVector-v0.avsc");
  private static final long T_MILLIS = 1_700_000_000_123L;
  private static final List<Double> FEATURES = List.of(1.5, -2.0, 1e-9, 42.0);

  @Test
  void olderFeatureVectorDecodesWithTodaysReaderAndTheDefaultAttributes() {
    assertThat(SchemaStore.fingerprint(V0)).isNotEqualTo(SchemaStore.fingerprint(FeatureVector.getClassSchema()));
    SchemaStore store = SchemaStore.withGeneratedSchemas();
    store.register(V0);
    byte[] bytes = singleObject(V0, v0Record());

    FeatureVector viaKafka = new AvroSingleObjectDeserializer<>(FeatureVector.class, store).deserialize("events", bytes);
    AvroSingleObjectDeserializationSchema<FeatureVector> flinkSchema =
        JavaSerialization.copy(new AvroSingleObjectDeserializationSchema<>(FeatureVector.class, store));
    FeatureVector viaFlink = flinkSchema.deserialize(bytes);


    for (FeatureVector decoded : List.of(viaKafka, viaFlink)) {
      assertThat(decoded.getAttributes()).isEmpty();
      assertThat(decoded.getId()).isEqualTo("old-1");
      assertThat(decoded.getTimestamp()).isEqualTo(Instant.ofEpochMilli(T_MILLIS));
      assertThat(decoded.getFeatures()).containsExactlyElementsOf(FEATURES);
    }
  }

  @Test
  void olderFingerprintIsUnknownUntilRegistered() {
    byte[] bytes = singleObject(V0, v0Record());

    assertThatThrownBy(() -> new AvroSingleObjectDeserializer<>(FeatureVector.class).deserialize("events", bytes))
        .isInstanceOfSatisfying(AvroDecodeException.class,
            e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.UNKNOWN_SCHEMA))
        .hasMessageContaining("topic events")
        .hasMessageContaining("unknown schema fingerprint " + SchemaStore.hex(SchemaStore.fingerprint(V0)));
  }

  @Test
  void plainBinaryWrittenWithTheOlderSchemaDecodesWhenTheWriterSchemaIsGiven() {
    byte[] body = plainBinary(V0, v0Record());

    FeatureVector decoded = new AvroBinaryDeserializer<>(FeatureVector.class, V0).deserialize("events", body);

    assertThat(decoded.getAttributes()).isEmpty();
    assertThat(decoded.getFeatures()).containsExactlyElementsOf(FEATURES);
    assertThat(decoded.getTimestamp()).isEqualTo(Instant.ofEpochMilli(T_MILLIS));
  }

  @Test
  void incompatibleWriterSchemaIsAnUnknownSchemaNotGarbage() {
    Schema incompatible = SchemaResources.load("FeatureVector-incompatible.avsc");
    SchemaStore store = SchemaStore.withGeneratedSchemas();
    store.register(incompatible);
    GenericRecord record = new GenericRecordBuilder(incompatible).set("id", "x").set("timestamp", T_MILLIS)
        .set("features", List.of("1.0")).build();
    byte[] bytes = singleObject(incompatible, record);

    assertThatThrownBy(() -> SingleObjectCodec.forSpecific(FeatureVector.class, store).decode(bytes))
        .isInstanceOfSatisfying(AvroDecodeException.class,
            e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.UNKNOWN_SCHEMA))
        .hasMessageContaining("cannot be read as io.impflow.schemas.avro.FeatureVector")
        .hasMessageContaining("TYPE_MISMATCH");
    assertThatThrownBy(() -> PlainBinaryCodec.forSpecific(FeatureVector.class, incompatible))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TYPE_MISMATCH");
  }

  @Test
  void genericRecordsOfAUsersOwnSchemaDecodeIncludingAnOlderVersion() {
    Schema reading = SchemaResources.load("SensorReading.avsc");
    Schema olderReading = SchemaBuilder.record("SensorReading").namespace("com.example.plant").fields()
        .requiredString("sensor").requiredDouble("temperature").requiredFloat("pressure").requiredInt("rpm")
        .endRecord();
    SchemaStore store = SchemaStore.empty();
    store.register(olderReading);
    SingleObjectCodec<GenericRecord> codec = SingleObjectCodec.forGeneric(reading, store);
    GenericRecord current = new GenericRecordBuilder(reading).set("sensor", "pump-3").set("temperature", 71.25)
        .set("pressure", 1.5f).set("rpm", 1450).set("vibration", 0.02).build();
    GenericRecord older = new GenericRecordBuilder(olderReading).set("sensor", "pump-4").set("temperature", -3.0)
        .set("pressure", 0.75f).set("rpm", 0).build();

    GenericRecord decodedCurrent = codec.decode(codec.encode(current));
    GenericRecord decodedOlder = codec.decode(singleObject(olderReading, older));

    assertThat(decodedCurrent).isEqualTo(current);
    assertThat(decodedOlder.getSchema()).isEqualTo(reading);
    assertThat(decodedOlder.get("sensor").toString()).isEqualTo("pump-4");
    assertThat(decodedOlder.get("temperature")).isEqualTo(-3.0);
    assertThat(decodedOlder.get("pressure")).isEqualTo(0.75f);
    assertThat(decodedOlder.get("rpm")).isEqualTo(0);
    assertThat(decodedOlder.get("vibration")).isNull();
    assertThat(PlainBinaryCodec.forGeneric(olderReading, reading).decode(plainBinary(olderReading, older)))
        .isEqualTo(decodedOlder);
  }

  private static GenericRecord v0Record() {
    return new GenericRecordBuilder(V0).set("id", "old-1").set("timestamp", T_MILLIS).set("features", FEATURES)
        .build();
  }

  /** Single-object bytes as an independent producer would write them, with Avro's own encoder. */
  static byte[] singleObject(Schema writer, GenericRecord record) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      new BinaryMessageEncoder<GenericRecord>(GenericData.get(), writer).encode(record, out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] plainBinary(Schema writer, GenericRecord record) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
      new GenericDatumWriter<GenericRecord>(writer).write(record, encoder);
      encoder.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
