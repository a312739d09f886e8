package io.impflow.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.impflow.job.decode.DecodeAndValidate;
import io.impflow.job.decode.FeatureRecord;
import io.impflow.job.decode.FeatureRowValidator;
import io.impflow.job.decode.FeatureVectorDecoder;
import io.impflow.job.decode.RawRecord;
import io.impflow.schemas.avro.DeadLetter;
import io.impflow.schemas.avro.FeatureVector;
import io.impflow.schemas.serde.SchemaStore;
import io.impflow.schemas.serde.SingleObjectCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MalformedKindTest {
  private static final List<String> FEATURES = IntStream.range(0, 9).mapToObj(i -> "f" + i).toList();
  private static final double[] ROW = {50, -1, 84, 0, 20, 3, 34, 64, 30};

  @ParameterizedTest
  @EnumSource(MalformedKind.class)
  void theJobsDecodeStepDeadLettersEachKindWithItsExpectedReason(MalformedKind kind) {
    SingleObjectCodec<FeatureVector> codec =
        SingleObjectCodec.forSpecific(FeatureVector.class, SchemaStore.withGeneratedSchemas());
    byte[] value = kind.value("run-bad-1", ROW, Instant.ofEpochMilli(1_000), codec::encode);
    RawRecord raw = new RawRecord("events", 0, 41, 1_000, "run-bad-1".getBytes(StandardCharsets.UTF_8), value);
    List<FeatureRecord> decoded = new ArrayList<>();

    DeadLetter deadLetter = DecodeAndValidate.decodeOrReject(new FeatureVectorDecoder(codec),
        new FeatureRowValidator(FEATURES), raw, collector(decoded));

    assertThat(decoded).isEmpty();
    assertThat(deadLetter).isNotNull();
    assertThat(deadLetter.getReason()).isEqualTo(kind.expectedReason());
    assertThat(deadLetter.getMessage()).startsWith("events-0@41");
  }

  @Test
  void theRowsTheBadRecordsAreBuiltFromDecodeCleanly() {
    SingleObjectCodec<FeatureVector> codec =
        SingleObjectCodec.forSpecific(FeatureVector.class, SchemaStore.withGeneratedSchemas());
    byte[] valid = codec.encode(MalformedKind.vector("run-1", ROW, Instant.ofEpochMilli(1_000)));
    List<FeatureRecord> decoded = new ArrayList<>();

    DeadLetter deadLetter = DecodeAndValidate.decodeOrReject(new FeatureVectorDecoder(codec),
        new FeatureRowValidator(FEATURES), new RawRecord("events", 0, 1, 1_000, null, valid), collector(decoded));

    assertThat(deadLetter).isNull();
    assertThat(decoded).singleElement().satisfies(record -> assertThat(record.features).containsExactly(ROW));
  }

  private static Collector<FeatureRecord> collector(List<FeatureRecord> into) {
    return new Collector<>() {
      @Override
      public void collect(FeatureRecord record) {
        into.add(record);
      }

      @Override
      public void close() {}
    };
  }
}
