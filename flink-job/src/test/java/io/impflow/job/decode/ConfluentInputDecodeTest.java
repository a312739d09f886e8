package io.impflow.job.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.impflow.job.config.JobConfig;
import io.impflow.schemas.avro.DeadLetter;
import io.impflow.schemas.avro.DeadLetterReason;
import io.impflow.schemas.avro.FeatureVector;
import io.impflow.schemas.registry.RegistryUnavailableException;
import io.impflow.testkit.registry.ApicurioProducer;
import io.impflow.testkit.registry.InProcessSchemaRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job's decode step on schema-registry framed input, without Flink: projection by name, and the failure kinds. */
class ConfluentInputDecodeTest {
  private static final List<String> FEATURES = List.of("a", "b");
  private static final Schema WRITER = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"R\",\"fields\":["
      + "{\"name\":\"note\",\"type\":\"string\"},{\"name\":\"b\",\"type\":\"int\"},"
      + "{\"name\":\"key\",\"type\":\"long\"},{\"name\":\"a\",\"type\":[\"null\",\"float\"]},"
      + "{\"name\":\"at\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}}]}");
  private static final Schema NOT_NUMERIC = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"R\","
      + "\"fields\":[{\"name\":\"a\",\"type\":\"double\"},{\"name\":\"b\",\"type\":\"string\"}]}");

  @TempDir
  Path model;
  private final InProcessSchemaRegistry registry = InProcessSchemaRegistry.running(7);
  private final List<FeatureRecord> out = new ArrayList<>();
  private final Collector<FeatureRecord> collector = new Collector<>() {
    @Override
    public void collect(FeatureRecord record) {
      out.add(record);
    }

    @Override
    public void close() {}
  };

  @AfterEach
  void stop() {
    registry.close();
  }

  private InputSpec spec(String... extra) {
    List<String> args = new ArrayList<>(List.of("--model", model.toString(), "--input-encoding", "confluent",
        "--schema-registry-url", registry.url(), "--schema-registry-max-wait", "300ms"));
    args.addAll(List.of(extra));
    return InputSpec.of(JobConfig.parse(args.toArray(new String[0])), FEATURES);
  }

  private static RawRecord raw(byte[] value) {
    return new RawRecord("in", 0, 5, 99L, null, value);
  }

  @Test
  void featuresIdAndTimeAreReadByNameFromTheWritersFields() {
    byte[] bytes;
    try (ApicurioProducer producer = new ApicurioProducer(registry.apicurioV2Url())) {
      bytes = producer.serialize("in", new GenericRecordBuilder(WRITER).set("note", "x").set("b", 3).set("key", 42L)
          .set("a", 1.5f).set("at", 1234L).build());
    }
    RecordDecoder decoder = spec("--id-field", "key", "--timestamp-field", "at").decoder();
    assertThat(DecodeAndValidate.decodeOrReject(decoder, new FeatureRowValidator(FEATURES), raw(bytes), collector))
        .isNull();
    assertThat(out).singleElement().satisfies(r -> {
      assertThat(r.features).containsExactly(1.5, 3.0);
      assertThat(r.id).isEqualTo("42");
      assertThat(r.timestamp).isEqualTo(1234L);
    });
    out.clear();
    // Without id and timestamp fields of the default names: the record's position and the Kafka time.
    DecodeAndValidate.decodeOrReject(spec().decoder(), new FeatureRowValidator(FEATURES), raw(bytes), collector);
    assertThat(out).singleElement().satisfies(r -> {
      assertThat(r.id).isEqualTo("in-0@5");
      assertThat(r.timestamp).isEqualTo(99L);
    });
  }

  @Test
  void featureVectorWritersAreReadAsFeatureVectorsAndAWrongLengthIsADimensionMismatch() {
    byte[] vector;
    byte[] tooLong;
    try (ApicurioProducer producer = new ApicurioProducer(registry.apicurioV2Url())) {
      vector = producer.serialize("in", new GenericRecordBuilder(FeatureVector.getClassSchema()).set("id", "v1")
          .set("timestamp", 777L).set("features", List.of(0.25, -4.0)).build());
      tooLong = producer.serialize("in", new GenericRecordBuilder(FeatureVector.getClassSchema()).set("id", "v2")
          .set("timestamp", 1L).set("features", List.of(1.0, 2.0, 3.0)).build());
    }
    RecordDecoder decoder = spec().decoder();
    FeatureRowValidator validator = new FeatureRowValidator(FEATURES);
    assertThat(DecodeAndValidate.decodeOrReject(decoder, validator, raw(vector), collector)).isNull();
    assertThat(out).singleElement().satisfies(r -> {
      assertThat(r.features).containsExactly(0.25, -4.0);
      assertThat(r.id).isEqualTo("v1");
      assertThat(r.timestamp).isEqualTo(777L);
    });
    assertThat(DecodeAndValidate.decodeOrReject(decoder, validator, raw(tooLong), collector).getReason())
        .isEqualTo(DeadLetterReason.DIMENSION_MISMATCH);
  }

  @Test
  void aNullFeatureANonNumericFeatureAndAMissingIdFieldAreDeadLetters() {
    byte[] nullA;
    byte[] text;
    try (ApicurioProducer producer = new ApicurioProducer(registry.apicurioV2Url())) {
      nullA = producer.serialize("in", new GenericRecordBuilder(WRITER).set("note", "x").set("b", 3).set("key", 1L)
          .set("a", null).set("at", 1L).build());
      text = producer.serialize("in", new GenericRecordBuilder(NOT_NUMERIC).set("a", 1.0).set("b", "3").build());
    }
    FeatureRowValidator validator = new FeatureRowValidator(FEATURES);
    DeadLetter deadLetter = DecodeAndValidate.decodeOrReject(spec().decoder(), validator, raw(nullA), collector);
    assertThat(deadLetter.getReason()).isEqualTo(DeadLetterReason.MISSING_FEATURE);
    assertThat(deadLetter.getMessage()).contains("'a'");
    deadLetter = DecodeAndValidate.decodeOrReject(spec().decoder(), validator, raw(text), collector);
    assertThat(deadLetter.getReason()).isEqualTo(DeadLetterReason.MISSING_FEATURE);
    assertThat(deadLetter.getMessage()).contains("feature field 'b' has type \"string\"");
    deadLetter = DecodeAndValidate.decodeOrReject(spec("--id-field", "serial").decoder(), validator, raw(nullA),
        collector);
    assertThat(deadLetter.getReason()).isEqualTo(DeadLetterReason.MISSING_FEATURE);
    assertThat(deadLetter.getMessage()).contains("no id field 'serial'");
    assertThat(out).isEmpty();
  }

  @Test
  void anUnreachableRegistryFailsTheStepInsteadOfDeadLetteringTheRecord() {
    byte[] bytes;
    try (ApicurioProducer producer = new ApicurioProducer(registry.apicurioV2Url())) {
      bytes = producer.serialize("in", new GenericRecordBuilder(NOT_NUMERIC).set("a", 1.0).set("b", "3").build());
    }
    registry.stop();
    RecordDecoder decoder = spec().decoder();
    assertThatThrownBy(() -> DecodeAndValidate.decodeOrReject(decoder, new FeatureRowValidator(FEATURES),
        raw(bytes), collector)).isInstanceOf(RegistryUnavailableException.class).hasMessageStartingWith("in-0@5: ");
  }
}
