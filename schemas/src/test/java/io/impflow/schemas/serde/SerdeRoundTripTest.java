package io.impflow.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.impflow.schemas.avro.FeatureVector;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SerdeRoundTripTest {

  /** Writes a record to bytes and reads it back through one pair of public adapters. */
  record Pipe(Function<SpecificRecord, byte[]> write, Function<byte[], SpecificRecord> read) {}

  /** One way of carrying records: a name, whether it is single-object encoding, and its adapters for a class. */
  record Transport(String name, boolean singleObject, Function<Class<SpecificRecord>, Pipe> adapters) {
    @Override
    public String toString() {
      return name;
    }
  }

  static final List<Transport> TRANSPORTS = List.of(
      new Transport("Kafka single-object", true, type -> kafka(
          new AvroSingleObjectSerializer<>(type), new AvroSingleObjectDeserializer<>(type))),
      new Transport("Kafka single-object configured by class name", true, type -> kafka(
          byName(new AvroSingleObjectSerializer<>(), type), byName(new AvroSingleObjectDeserializer<>(), type))),
      new Transport("Flink single-object", true, type -> flink(
          new AvroSingleObjectSerializationSchema<>(type), new AvroSingleObjectDeserializationSchema<>(type))),
      new Transport("Kafka plain binary", false, type -> kafka(
          new AvroBinarySerializer<>(type), new AvroBinaryDeserializer<>(type))),
      new Transport("Kafka plain binary configured by class name", false, type -> kafka(
          byName(new AvroBinarySerializer<>(), type), byName(new AvroBinaryDeserializer<>(), type))),
      new Transport("Flink plain binary", false, type -> flink(
          new AvroBinarySerializationSchema<>(type), new AvroBinaryDeserializationSchema<>(type))));

  static Stream<Arguments> recordsAndTransports() {
    return SampleRecords.all().stream()
        .flatMap(record -> TRANSPORTS.stream().map(transport -> Arguments.of(record, transport)));
  }

  @ParameterizedTest(name = "{1}: {0}")
  @MethodSource("recordsAndTransports")
  void everyRecordSurvivesEveryTransport(SpecificRecord record, Transport transport) {
    @SuppressWarnings("unchecked")
    Class<SpecificRecord> type = (Class<SpecificRecord>) record.getClass();
    Pipe pipe = transport.adapters().apply(type);

    byte[] bytes = pipe.write().apply(record);

    if (transport.singleObject()) {
      assertThat(bytes[0]).isEqualTo((byte) 0xC3);
      assertThat(bytes[1]).isEqualTo((byte) 0x01);
      long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
      assertThat(fingerprint).isEqualTo(SchemaStore.fingerprint(record.getSchema()));
    }
    assertThat(pipe.read().apply(bytes)).isEqualTo(record).isNotSameAs(record);
  }

  @Test
  void singleObjectBodyIsThePlainBinaryEncoding() {
    FeatureVector record = SampleRecords.featureVector();
    byte[] singleObject = new AvroSingleObjectSerializer<>(FeatureVector.class).serialize("t", record);
    byte[] plain = new AvroBinarySerializer<>(FeatureVector.class).serialize("t", record);

    assertThat(Arrays.copyOfRange(singleObject, 10, singleObject.length)).isEqualTo(plain);
  }

  @Test
  void readsWhatAvrosOwnMessageEncoderWrites() throws Exception {
    FeatureVector record = SampleRecords.featureVector();
    ByteBuffer avroEncoded = record.toByteBuffer();
    byte[] bytes = new byte[avroEncoded.remaining()];
    avroEncoded.get(bytes);

    assertThat(new AvroSingleObjectDeserializer<>(FeatureVector.class).deserialize("t", bytes)).isEqualTo(record);
    byte[] ours = new AvroSingleObjectSerializer<>(FeatureVector.class).serialize("t", record);
    assertThat(FeatureVector.fromByteBuffer(ByteBuffer.wrap(ours))).isEqualTo(record);
  }

  @Test
  void nullRecordBecomesATombstone() {
    assertThat(new AvroSingleObjectSerializer<>(FeatureVector.class).serialize("t", null)).isNull();
    assertThat(new AvroBinarySerializer<>(FeatureVector.class).serialize("t", null)).isNull();
  }

  private static Pipe kafka(Serializer<SpecificRecord> serializer, Deserializer<SpecificRecord> deserializer) {
    return new Pipe(record -> serializer.serialize("events", record),
        bytes -> deserializer.deserialize("events", bytes));
  }

  private static Pipe flink(CodecSerializationSchema<SpecificRecord> serialization,
      CodecDeserializationSchema<SpecificRecord> deserialization) {
    CodecSerializationSchema<SpecificRecord> shippedSerialization = JavaSerialization.copy(serialization);
    CodecDeserializationSchema<SpecificRecord> shippedDeserialization = JavaSerialization.copy(deserialization);
    shippedSerialization.open(null);
    shippedDeserialization.open(null);
    return new Pipe(shippedSerialization::serialize, bytes -> {
      SpecificRecord record = shippedDeserialization.deserialize(bytes);
      assertThat(shippedDeserialization.getProducedType().getTypeClass()).isEqualTo(record.getClass());
      return record;
    });
  }

  private static <S extends Serializer<?>> S byName(S serializer, Class<?> type) {
    serializer.configure(Map.of(KafkaSerdeConfig.RECORD_CLASS, type.getName()), false);
    return serializer;
  }

  private static <D extends Deserializer<?>> D byName(D deserializer, Class<?> type) {
    deserializer.configure(Map.of(KafkaSerdeConfig.RECORD_CLASS, type.getName()), false);
    return deserializer;
  }
}
