package io.impflow.job.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.impflow.job.config.InputEncoding;
import io.impflow.job.config.JobConfig;
import io.impflow.schemas.avro.DeadLetter;
import io.impflow.schemas.avro.DeadLetterReason;
import io.impflow.schemas.avro.FeatureVector;
import io.impflow.schemas.serde.PlainBinaryCodec;
import io.impflow.schemas.serde.SchemaStore;
import io.impflow.schemas.serde.SingleObjectCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecodeAndValidateTest {
  private static final List<String> FEATURES = List.of("x0", "x1", "x2");
  private static final byte[] KEY = "k-7".getBytes(StandardCharsets.UTF_8);

  private final List<FeatureRecord> decoded = new ArrayList<>();
  private final Collector<FeatureRecord> out = new ListCollector<>(decoded);
  private final FeatureRowValidator validator = new FeatureRowValidator(FEATURES);

  private static byte[] singleObject(String id, double... features) {
    return SingleObjectCodec.forSpecific(FeatureVector.class, SchemaStore.empty()).encode(vector(id, features));
  }

  private static FeatureVector vector(String id, double... features) {
    List<Double> values = new ArrayList<>();
    Arrays.stream(features).forEach(values::add);
    return FeatureVector.newBuilder().setId(id).setTimestamp(Instant.ofEpochMilli(1_700_000_000_123L))
        .setFeatures(values).build();
  }

  private static RawRecord raw(byte[] value) {
    return new RawRecord("events", 2, 1041, 99L, KEY, value);
  }

  @TempDir
  Path model;

  private DeadLetter run(InputEncoding encoding, byte[] value) {
    JobConfig config = JobConfig.parse("--model", model.toString(), "--input-encoding", encoding.flagValue());
    RecordDecoder decoder = InputSpec.of(config, FEATURES).decoder();
    return DecodeAndValidate.decodeOrReject(decoder, validator, raw(value), out);
  }

  @Test
  void decodesASingleObjectFeatureVector() {
    assertThat(run(InputEncoding.SINGLE_OBJECT, singleObject("r1", 1.5, -2, 3e-9))).isNull();
    assertThat(decoded).hasSize(1);
    FeatureRecord record = decoded.get(0);
    assertThat(record.id).isEqualTo("r1");
    assertThat(record.timestamp).isEqualTo(1_700_000_000_123L);
    assertThat(record.features).containsExactly(1.5, -2, 3e-9);
    assertThat(record.raw.where()).isEqualTo("events-2@1041");
  }

  @Test
  void decodesPlainBinaryWhenConfigured() {
    byte[] body = PlainBinaryCodec.forSpecific(FeatureVector.class).encode(vector("b1", 1, 2, 3));
    assertThat(run(InputEncoding.BINARY, body)).isNull();
    assertThat(decoded.get(0).features).containsExactly(1, 2, 3);
  }

  @Test
  void everyBadRecordBecomesADeadLetterWithItsBytesPositionAndReason() {
    byte[] good = singleObject("r1", 1, 2, 3);
    byte[] truncated = Arrays.copyOf(good, good.length - 5);
    byte[] unknownFingerprint = good.clone();
    unknownFingerprint[5] ^= 0x5a;

    assertDeadLetter(run(InputEncoding.SINGLE_OBJECT, truncated), DeadLetterReason.MALFORMED_AVRO, truncated);
    assertDeadLetter(run(InputEncoding.SINGLE_OBJECT, unknownFingerprint), DeadLetterReason.UNKNOWN_SCHEMA,
        unknownFingerprint);
    assertDeadLetter(run(InputEncoding.SINGLE_OBJECT, null), DeadLetterReason.MALFORMED_AVRO, null);
    byte[] json = "{\"id\":1}".getBytes(StandardCharsets.UTF_8);
    assertDeadLetter(run(InputEncoding.SINGLE_OBJECT, json), DeadLetterReason.MALFORMED_AVRO, json);
    byte[] shortRow = singleObject("r2", 1, 2);
    DeadLetter dimension = run(InputEncoding.SINGLE_OBJECT, shortRow);
    assertDeadLetter(dimension, DeadLetterReason.DIMENSION_MISMATCH, shortRow);
    assertThat(dimension.getMessage()).contains("'r2' has 2 feature values but the model expects 3");
    byte[] nan = singleObject("r3", 1, Double.NaN, 3);
    DeadLetter nonFinite = run(InputEncoding.SINGLE_OBJECT, nan);
    assertDeadLetter(nonFinite, DeadLetterReason.NON_FINITE_VALUE, nan);
    assertThat(nonFinite.getMessage()).contains("feature 'x1' (index 1) = NaN");
    byte[] infinite = singleObject("r4", 1, 2, Double.NEGATIVE_INFINITY);
    assertDeadLetter(run(InputEncoding.SINGLE_OBJECT, infinite), DeadLetterReason.NON_FINITE_VALUE, infinite);
    assertThat(decoded).isEmpty();
  }

  private static void assertDeadLetter(DeadLetter deadLetter, DeadLetterReason reason, byte[] value) {
    assertThat(deadLetter).isNotNull();
    assertThat(deadLetter.getReason()).isEqualTo(reason);
    assertThat(deadLetter.getSource().getTopic()).isEqualTo("events");
    assertThat(deadLetter.getSource().getPartition()).isEqualTo(2);
    assertThat(deadLetter.getSource().getOffset()).isEqualTo(1041);
    assertThat(deadLetter.getMessage()).startsWith("events-2@1041: ");
    assertThat(deadLetter.getKey()).isEqualTo(ByteBuffer.wrap(KEY));
    assertThat(deadLetter.getValue()).isEqualTo(value == null ? null : ByteBuffer.wrap(value));
  }
}
