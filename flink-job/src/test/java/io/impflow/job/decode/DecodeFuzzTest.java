package io.impflow.job.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.impflow.job.config.InputEncoding;
import io.impflow.job.config.JobConfig;
import io.impflow.schemas.avro.DeadLetter;
import io.impflow.schemas.avro.FeatureVector;
import io.impflow.schemas.serde.AvroDecodeException;
import io.impflow.schemas.serde.SchemaStore;
import io.impflow.schemas.serde.SingleObjectCodec;
import io.impflow.testkit.fuzz.ByteMutation;
import io.impflow.testkit.fuzz.Fuzz;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the job's decode step (FeatureVector and user-schema decoders, both framings, then the row validator): a
 * decoder returns a record or raises a typed rejection ({@link AvroDecodeException} or {@link
 * RecordRejectedException}) with a reason and a message, never anything else (DecodeAndValidate's catch-all must
 * stay unused); {@code decodeOrReject} turns every input into exactly one feature record or one dead letter; one
 * decode allocates at most {@link Fuzz#ALLOCATION_LIMIT_BYTES}. {@code -Dimpflow.fuzz.tries=100000} for a longer
 * run.
 */
class DecodeFuzzTest {
  /** The user's schema with nullable and narrow numeric features, and a nullable id. */
  private static final String USER_SCHEMA = "{\"type\":\"record\",\"name\":\"Reading\",\"namespace\":\"fuzz\","
      + "\"fields\":[{\"name\":\"id\",\"type\":[\"null\",\"string\"]},"
      + "{\"name\":\"timestamp\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}},"
      + "{\"name\":\"a\",\"type\":\"int\"},{\"name\":\"b\",\"type\":[\"null\",\"float\"]},"
      + "{\"name\":\"c\",\"type\":[\"long\",\"null\"]},{\"name\":\"d\",\"type\":\"double\"},"
      + "{\"name\":\"note\",\"type\":{\"type\":\"map\",\"values\":\"string\"}}]}";
  private static final List<String> USER_FEATURES = List.of("a", "b", "c", "d");
  private static final List<String> VECTOR_FEATURES = List.of("x0", "x1", "x2");

  @TempDir
  static Path dir;

  private static final List<Case> CASES = new ArrayList<>();

  @BeforeAll
  static void decoders() throws Exception {
    Path avsc = Files.writeString(dir.resolve("reading.avsc"), USER_SCHEMA);
    Schema schema = new Schema.Parser().parse(USER_SCHEMA);
    GenericRecord reading = new GenericData.Record(schema);
    reading.put("id", "r-1");
    reading.put("timestamp", 1_700_000_000_000L);
    reading.put("a", 3);
    reading.put("b", 1.5f);
    reading.put("c", null);
    reading.put("d", -2.0);
    reading.put("note", java.util.Map.of("k", "v"));
    byte[] userSingleObject = SingleObjectCodec.forGeneric(schema, SchemaStore.empty()).encode(reading);
    byte[] userBinary = java.util.Arrays.copyOfRange(userSingleObject, 10, userSingleObject.length);
    reading.put("c", 9L);
    byte[] userComplete = SingleObjectCodec.forGeneric(schema, SchemaStore.empty()).encode(reading);
    byte[] userCompleteBinary = java.util.Arrays.copyOfRange(userComplete, 10, userComplete.length);
    FeatureVector vector = FeatureVector.newBuilder().setId("v-1").setTimestamp(Instant.ofEpochMilli(5L))
        .setFeatures(List.of(1.0, 2.0, 3.0)).build();
    byte[] vectorSingleObject = SingleObjectCodec.forSpecific(FeatureVector.class, SchemaStore.empty()).encode(vector);
    byte[] vectorBinary = java.util.Arrays.copyOfRange(vectorSingleObject, 10, vectorSingleObject.length);

    for (InputEncoding encoding : List.of(InputEncoding.SINGLE_OBJECT, InputEncoding.BINARY)) {
      boolean single = encoding == InputEncoding.SINGLE_OBJECT;
      JobConfig user = JobConfig.parse("--model", dir.toString(), "--input-encoding", encoding.flagValue(),
          "--input-schema", avsc.toString());
      JobConfig plain = JobConfig.parse("--model", dir.toString(), "--input-encoding", encoding.flagValue());
      CASES.add(new Case(encoding + " user schema", InputSpec.of(user, USER_FEATURES).decoder(),
          new FeatureRowValidator(USER_FEATURES), single ? List.of(userSingleObject, userComplete)
              : List.of(userBinary, userCompleteBinary)));
      CASES.add(new Case(encoding + " FeatureVector", InputSpec.of(plain, VECTOR_FEATURES).decoder(),
          new FeatureRowValidator(VECTOR_FEATURES), List.of(single ? vectorSingleObject : vectorBinary)));
    }
  }

  @Test
  void arbitraryValuesAreRecordsOrTypedRejections() {
    Fuzz.forAll(20261210, 2000, random -> Fuzz.bytes(random, 200), value -> {
      for (Case c : CASES) {
        decodesOrRejects(c, value);
      }
    });
  }

  @Test
  void mutatedValuesAreRecordsOrTypedRejections() {
    Fuzz.forAll(20261211, 5000, random -> {
      Case c = CASES.get(random.nextInt(CASES.size()));
      byte[] valid = c.valid().get(random.nextInt(c.valid().size()));
      return new Input(c, ByteMutation.applyAll(valid, ByteMutation.randomList(random, 4)));
    }, input -> decodesOrRejects(input.c(), input.value()));
  }

  @Test
  void hostileLengthsAnywhereAreRejectedWithoutAllocatingThem() {
    for (Case c : CASES) {
      for (byte[] valid : c.valid()) {
        for (int at = 0; at < valid.length; at++) {
          for (int h = 0; h < Fuzz.HOSTILE_LENGTHS.length; h++) {
            decodesOrRejects(c, new ByteMutation(ByteMutation.Kind.HOSTILE_LENGTH, at, h).applyTo(valid));
          }
        }
      }
    }
  }

  @Test
  void theLastValidValueOfEachCaseDecodes() {
    for (Case c : CASES) {
      List<FeatureRecord> out = new ArrayList<>();
      DeadLetter dead = DecodeAndValidate.decodeOrReject(c.decoder(), c.validator(),
          raw(c.valid().get(c.valid().size() - 1)), new ListCollector<>(out));
      assertThat(dead).as(c.name()).isNull();
      assertThat(out).hasSize(1);
    }
  }

  private static void decodesOrRejects(Case c, byte[] value) {
    long before = Fuzz.allocatedBytes();
    try {
      FeatureRecord record = c.validator().validate(c.decoder().decode(raw(value)));
      assertThat(record.id).isNotNull();
    } catch (AvroDecodeException e) {
      assertThat(e.reason()).isNotNull();
      assertThat(e.getMessage()).isNotBlank();
    } catch (RecordRejectedException e) {
      assertThat(e.reason()).isNotNull();
      assertThat(e.getMessage()).isNotBlank();
    }
    List<FeatureRecord> out = new ArrayList<>();
    DeadLetter dead = DecodeAndValidate.decodeOrReject(c.decoder(), c.validator(), raw(value),
        new ListCollector<>(out));
    if (dead == null) {
      assertThat(out).hasSize(1);
    } else {
      assertThat(out).isEmpty();
      assertThat(dead.getReason()).isNotNull();
      assertThat(dead.getMessage()).startsWith("events-2@1041: ").hasSizeGreaterThan("events-2@1041: ".length());
      assertThat(dead.getMessage()).doesNotContain("undecodable record (");
    }
    assertThat(Fuzz.allocatedBytes() - before).as("bytes allocated decoding %d bytes twice", value.length)
        .isLessThan(2 * Fuzz.ALLOCATION_LIMIT_BYTES);
  }

  private static RawRecord raw(byte[] value) {
    return new RawRecord("events", 2, 1041, 99L, new byte[] {1}, value);
  }

  private record Case(String name, RecordDecoder decoder, FeatureRowValidator validator, List<byte[]> valid) {
    @Override
    public String toString() {
      return name;
    }
  }

  private record Input(Case c, byte[] value) {
    @Override
    public String toString() {
      return c + " " + java.util.HexFormat.ofDelimiter(" ").formatHex(value);
    }
  }
}
