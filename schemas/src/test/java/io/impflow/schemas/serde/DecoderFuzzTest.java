package io.impflow.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.impflow.schemas.avro.FeatureVector;
import io.impflow.testkit.fuzz.ByteMutation;
import io.impflow.testkit.fuzz.Fuzz;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the single-object and plain binary decoders: for every input a decoder returns a record or raises an
 * {@link AvroDecodeException} with a reason and a message, nothing else escapes, and one decode of a small message
 * never allocates more than {@link Fuzz#ALLOCATION_LIMIT_BYTES}, whatever its length fields claim. Seeded: a run is
 * reproducible; {@code -Dimpflow.fuzz.tries=100000} for a longer one.
 */
class DecoderFuzzTest {
  /** Every Avro type the decoders handle: unions, enums, fixed, bytes, nested arrays and maps, empty records. */
  static final Schema KITCHEN_SINK = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"KitchenSink\","
      + "\"namespace\":\"fuzz\",\"fields\":["
      + "{\"name\":\"s\",\"type\":\"string\"},"
      + "{\"name\":\"b\",\"type\":\"bytes\"},"
      + "{\"name\":\"i\",\"type\":\"int\"},"
      + "{\"name\":\"l\",\"type\":\"long\"},"
      + "{\"name\":\"f\",\"type\":\"float\"},"
      + "{\"name\":\"d\",\"type\":\"double\"},"
      + "{\"name\":\"flag\",\"type\":\"boolean\"},"
      + "{\"name\":\"e\",\"type\":{\"type\":\"enum\",\"name\":\"Colour\",\"symbols\":[\"RED\",\"GREEN\",\"BLUE\"]}},"
      + "{\"name\":\"fx\",\"type\":{\"type\":\"fixed\",\"name\":\"Four\",\"size\":4}},"
      + "{\"name\":\"u\",\"type\":[\"null\",\"string\",\"long\"]},"
      + "{\"name\":\"items\",\"type\":{\"type\":\"array\",\"items\":{\"type\":\"record\",\"name\":\"Item\","
      + "\"fields\":[{\"name\":\"n\",\"type\":\"int\"},{\"name\":\"z\",\"type\":\"null\"}]}}},"
      + "{\"name\":\"nothing\",\"type\":{\"type\":\"array\",\"items\":\"null\"}},"
      + "{\"name\":\"m\",\"type\":{\"type\":\"map\",\"values\":{\"type\":\"array\",\"items\":\"double\"}}}]}");

  private static final SchemaStore STORE = SchemaStore.withGeneratedSchemas();
  private static final SingleObjectCodec<FeatureVector> SINGLE_OBJECT =
      SingleObjectCodec.forSpecific(FeatureVector.class, STORE);
  private static final PlainBinaryCodec<FeatureVector> PLAIN = PlainBinaryCodec.forSpecific(FeatureVector.class);
  private static final SingleObjectCodec<GenericRecord> SINK_SINGLE_OBJECT =
      SingleObjectCodec.forGeneric(KITCHEN_SINK, SchemaStore.empty());
  private static final PlainBinaryCodec<GenericRecord> SINK_PLAIN =
      PlainBinaryCodec.forGeneric(KITCHEN_SINK, KITCHEN_SINK);
  /** Reads FeatureVector-v0 (no attributes) bytes through schema resolution. */
  private static final PlainBinaryCodec<FeatureVector> RESOLVING =
      PlainBinaryCodec.forSpecific(FeatureVector.class, SchemaResources.load("FeatureVector-v0.avsc"));

  private static final List<AvroCodec<?>> CODECS =
      List.of(SINGLE_OBJECT, PLAIN, SINK_SINGLE_OBJECT, SINK_PLAIN, RESOLVING);

  private static final List<CodecAndMessage> VALID = validMessages();

  @Test
  void arbitraryBytesAreRecordsOrTypedRejections() {
    Fuzz.forAll(20261206, 2000, random -> Fuzz.bytes(random, 300), message -> {
      for (AvroCodec<?> codec : CODECS) {
        decodesOrRejects(codec, message);
      }
    });
  }

  @Test
  void arbitraryBodiesBehindAValidHeader() {
    byte[] vectorHeader = Arrays.copyOf(SINGLE_OBJECT.encode(featureVector()), 10);
    byte[] sinkHeader = Arrays.copyOf(SINK_SINGLE_OBJECT.encode(sink()), 10);
    Fuzz.forAll(20261207, 2000, random -> Fuzz.bytes(random, 300), body -> {
      decodesOrRejects(SINGLE_OBJECT, concat(vectorHeader, body));
      decodesOrRejects(SINK_SINGLE_OBJECT, concat(sinkHeader, body));
    });
  }

  @Test
  void mutatedEncodingsAreRecordsOrTypedRejections() {
    Fuzz.forAll(20261208, 5000,
        random -> new Mutated(VALID.get(random.nextInt(VALID.size())), ByteMutation.randomList(random, 4)),
        mutated -> decodesOrRejects(mutated.valid().codec(),
            ByteMutation.applyAll(mutated.valid().message(), mutated.mutations())));
  }

  /** Every hostile length (around 2^31, negative, huge) in place of every byte of every valid message. */
  @Test
  void aHostileLengthAnywhereIsRejectedWithoutAllocatingIt() {
    for (CodecAndMessage valid : VALID) {
      for (int at = 0; at < valid.message().length; at++) {
        for (int h = 0; h < Fuzz.HOSTILE_LENGTHS.length; h++) {
          decodesOrRejects(valid.codec(),
              new ByteMutation(ByteMutation.Kind.HOSTILE_LENGTH, at, h).applyTo(valid.message()));
          decodesOrRejects(valid.codec(),
              new ByteMutation(ByteMutation.Kind.INSERT_HOSTILE_LENGTH, at, h).applyTo(valid.message()));
        }
      }
    }
  }

  /** The record, or the typed rejection; any other throwable (OOM, IndexOutOfBounds, ...) fails the property. */
  static void decodesOrRejects(AvroCodec<?> codec, byte[] message) {
    long before = Fuzz.allocatedBytes();
    try {
      assertThat(codec.decode(message)).isNotNull();
    } catch (AvroDecodeException e) {
      assertThat(e.reason()).isNotNull();
      assertThat(e.getMessage()).isNotBlank();
    }
    assertThat(Fuzz.allocatedBytes() - before).as("bytes allocated decoding %d bytes", message.length)
        .isLessThan(Fuzz.ALLOCATION_LIMIT_BYTES);
  }

  record Mutated(CodecAndMessage valid, List<ByteMutation> mutations) {}

  record CodecAndMessage(AvroCodec<?> codec, byte[] message) {
    @Override
    public String toString() {
      return codec.getClass().getSimpleName() + " " + AvroBody.preview(message) + " (" + message.length + " bytes)";
    }
  }

  static List<CodecAndMessage> validMessages() {
    List<CodecAndMessage> all = new ArrayList<>();
    FeatureVector vector = featureVector();
    FeatureVector empty = FeatureVector.newBuilder().setId("").setTimestamp(SampleRecords.T0)
        .setFeatures(List.of()).build();
    all.add(new CodecAndMessage(SINGLE_OBJECT, SINGLE_OBJECT.encode(vector)));
    all.add(new CodecAndMessage(SINGLE_OBJECT, SINGLE_OBJECT.encode(empty)));
    all.add(new CodecAndMessage(PLAIN, PLAIN.encode(vector)));
    all.add(new CodecAndMessage(SINK_SINGLE_OBJECT, SINK_SINGLE_OBJECT.encode(sink())));
    all.add(new CodecAndMessage(SINK_PLAIN, SINK_PLAIN.encode(sink())));
    GenericRecord old = new GenericData.Record(SchemaResources.load("FeatureVector-v0.avsc"));
    old.put("id", "old-1");
    old.put("timestamp", 1L);
    old.put("features", List.of(1.0, 2.0));
    all.add(new CodecAndMessage(RESOLVING, PlainBinaryCodec.forGeneric(old.getSchema(), old.getSchema()).encode(old)));
    return all;
  }

  static FeatureVector featureVector() {
    return SampleRecords.featureVector();
  }

  static GenericRecord sink() {
    GenericRecord item = new GenericData.Record(KITCHEN_SINK.getField("items").schema().getElementType());
    item.put("n", 3);
    item.put("z", null);
    GenericRecord record = new GenericData.Record(KITCHEN_SINK);
    record.put("s", "säge");
    record.put("b", ByteBuffer.wrap(new byte[] {1, 2, 3}));
    record.put("i", -7);
    record.put("l", 1L << 40);
    record.put("f", 1.5f);
    record.put("d", -0.25);
    record.put("flag", true);
    record.put("e", new GenericData.EnumSymbol(KITCHEN_SINK.getField("e").schema(), "GREEN"));
    record.put("fx", new GenericData.Fixed(KITCHEN_SINK.getField("fx").schema(), new byte[] {9, 8, 7, 6}));
    record.put("u", 42L);
    record.put("items", List.of(item, item));
    record.put("nothing", Arrays.asList(null, null, null));
    record.put("m", Map.of("k", List.of(1.0, 2.0)));
    return record;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }
}
