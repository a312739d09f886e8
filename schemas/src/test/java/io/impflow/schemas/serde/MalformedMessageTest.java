package io.impflow.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.impflow.schemas.avro.DeadLetterReason;
import io.impflow.schemas.avro.FeatureVector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MalformedMessageTest {
  private static final SingleObjectCodec<FeatureVector> SINGLE_OBJECT =
      SingleObjectCodec.forSpecific(FeatureVector.class, SchemaStore.withGeneratedSchemas());
  private static final PlainBinaryCodec<FeatureVector> PLAIN = PlainBinaryCodec.forSpecific(FeatureVector.class);
  private static final byte[] VALID = SINGLE_OBJECT.encode(SampleRecords.featureVector());

  @Test
  void jsonInsteadOfAvroHasNoMarker() {
    byte[] json = "{\"id\":\"a\",\"features\":[1.0]}".getBytes(StandardCharsets.UTF_8);

    assertThat(failure(json, DeadLetterReason.MALFORMED_AVRO))
        .hasMessageContaining("no single-object marker C3 01 (first bytes 7b 22 69 64 22 3a 22 61 ...");
  }

  @Test
  void plainBinaryWithoutHeaderHasNoMarker() {
    byte[] plain = PLAIN.encode(SampleRecords.featureVector());

    assertThat(failure(plain, DeadLetterReason.MALFORMED_AVRO)).hasMessageContaining("no single-object marker");
  }

  @Test
  void unknownFingerprintNamesIt() {
    byte[] message = VALID.clone();
    ByteBuffer.wrap(message, 2, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(0x0123456789abcdefL);

    assertThat(failure(message, DeadLetterReason.UNKNOWN_SCHEMA))
        .hasMessageContaining("unknown schema fingerprint 0x0123456789abcdef");
  }

  @ParameterizedTest(name = "cut to {0} bytes")
  @ValueSource(ints = {2, 5, 9})
  void truncatedHeader(int length) {
    assertThat(failure(Arrays.copyOf(VALID, length), DeadLetterReason.MALFORMED_AVRO))
        .hasMessageContaining("truncated header");
  }

  @Test
  void everyTruncationOfTheBodyIsCaught() {
    for (int length = 10; length < VALID.length; length++) {
      assertThat(failure(Arrays.copyOf(VALID, length), DeadLetterReason.MALFORMED_AVRO))
          .as("cut to %d of %d bytes", length, VALID.length)
          .hasMessageMatching("(?s).*(truncated body|undecodable body).*");
    }
  }

  @Test
  void cuttingTheLastByteSaysTruncatedBody() {
    assertThat(failure(Arrays.copyOf(VALID, VALID.length - 1), DeadLetterReason.MALFORMED_AVRO))
        .hasMessageContaining("truncated body");
  }

  @Test
  void trailingGarbageAfterAWholeRecord() {
    byte[] message = Arrays.copyOf(VALID, VALID.length + 3);

    assertThat(failure(message, DeadLetterReason.MALFORMED_AVRO))
        .hasMessageContaining("trailing garbage: 3 bytes left after a whole io.impflow.schemas.avro.FeatureVector");
  }

  @Test
  void randomBytesAreMalformed() {
    Random random = new Random(20261129);
    for (int trial = 0; trial < 200; trial++) {
      byte[] garbage = new byte[1 + random.nextInt(200)];
      random.nextBytes(garbage);
      garbage[0] = (byte) (garbage[0] == (byte) 0xC3 ? 0x00 : garbage[0]);
      assertThat(failure(garbage, DeadLetterReason.MALFORMED_AVRO)).hasMessageContaining("no single-object marker");
    }
  }

  @Test
  void randomBodyBehindAValidHeaderIsMalformed() {
    Random random = new Random(7);
    for (int trial = 0; trial < 500; trial++) {
      byte[] message = Arrays.copyOf(VALID, 10 + random.nextInt(120));
      byte[] body = new byte[message.length - 10];
      random.nextBytes(body);
      System.arraycopy(body, 0, message, 10, body.length);
      failure(message, DeadLetterReason.MALFORMED_AVRO);
    }
  }

  @Test
  void corruptedLengthsFailWithoutAllocatingThem() throws IOException {
    ByteArrayOutputStream hugeString = new ByteArrayOutputStream();
    BinaryEncoder id = EncoderFactory.get().directBinaryEncoder(hugeString, null);
    id.writeLong(1L << 30);
    id.writeFixed(new byte[] {'a', 'b'});
    ByteArrayOutputStream hugeArray = new ByteArrayOutputStream();
    BinaryEncoder features = EncoderFactory.get().directBinaryEncoder(hugeArray, null);
    features.writeString("x");
    features.writeLong(0L);
    features.writeLong(1_000_000_000L);
    features.writeDouble(1.0);

    assertThat(failure(header(hugeString.toByteArray()), DeadLetterReason.MALFORMED_AVRO))
        .hasMessageContaining("string length 1073741824 at byte 5 of the body, but only 2 bytes are left");
    assertThat(failure(header(hugeArray.toByteArray()), DeadLetterReason.MALFORMED_AVRO))
        .hasMessageContaining("array block of 1000000000 items");
  }

  @Test
  void invalidUtf8InAStringIsMalformedNotReplaced() {
    byte[] message = SINGLE_OBJECT.encode(SampleRecords.featureVector());
    message[11] = (byte) 0x9b; // the first character of the id: a UTF-8 continuation byte cannot start a character

    assertThat(failure(message, DeadLetterReason.MALFORMED_AVRO)).hasMessageContaining("not valid UTF-8");
  }

  @Test
  void emptyAndNullMessages() {
    assertThat(failure(new byte[0], DeadLetterReason.MALFORMED_AVRO)).hasMessageContaining("empty message");
    assertThat(failure(null, DeadLetterReason.MALFORMED_AVRO)).hasMessageContaining("null message");
    assertThat(plainFailure(new byte[0])).hasMessageContaining("empty message");
    assertThat(plainFailure(null)).hasMessageContaining("null message");
  }

  @Test
  void plainBinaryTruncationAndTrailingGarbage() {
    byte[] plain = PLAIN.encode(SampleRecords.featureVector());

    assertThat(plainFailure(Arrays.copyOf(plain, plain.length - 1))).hasMessageContaining("truncated body");
    assertThat(plainFailure(Arrays.copyOf(plain, plain.length + 1))).hasMessageContaining("trailing garbage: 1");
  }

  @Test
  void kafkaDeserializerSaysWhichTopic() {
    AvroDecodeException e = catchThrowableOfType(AvroDecodeException.class,
        () -> new AvroSingleObjectDeserializer<>(FeatureVector.class).deserialize("events", new byte[] {1, 2}));

    assertThat(e.reason()).isEqualTo(DeadLetterReason.MALFORMED_AVRO);
    assertThat(e).hasMessageStartingWith("topic events: no single-object marker C3 01 (first bytes 01 02 of 2)");
  }

  @Test
  void flinkDeserializationSchemaRaisesTheSameTypedError() {
    AvroDecodeException e = catchThrowableOfType(AvroDecodeException.class,
        () -> new AvroSingleObjectDeserializationSchema<>(FeatureVector.class).deserialize(new byte[0]));

    assertThat(e.reason()).isEqualTo(DeadLetterReason.MALFORMED_AVRO);
    assertThat(e).hasMessageContaining("empty message");
  }

  private static AvroDecodeException failure(byte[] message, DeadLetterReason expected) {
    AvroDecodeException e = catchThrowableOfType(AvroDecodeException.class, () -> SINGLE_OBJECT.decode(message));
    assertThat(e).as("decoding %s", message == null ? "null" : AvroBody.preview(message)).isNotNull();
    assertThat(e.reason()).as(e.getMessage()).isEqualTo(expected);
    return e;
  }

  private static AvroDecodeException plainFailure(byte[] message) {
    AvroDecodeException e = catchThrowableOfType(AvroDecodeException.class, () -> PLAIN.decode(message));
    assertThat(e).isNotNull();
    assertThat(e.reason()).isEqualTo(DeadLetterReason.MALFORMED_AVRO);
    return e;
  }

  private static byte[] header(byte[] body) {
    return concat(Arrays.copyOf(VALID, 10), body);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }
}
