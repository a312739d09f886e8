package io.impflow.demo;

import io.impflow.schemas.avro.DeadLetterReason;
import io.impflow.schemas.avro.FeatureVector;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The kinds of bad input the demo injects into {@code events}, each with the dead-letter reason the job must give
 * it. They cover every reason a {@code FeatureVector} input can fail with (a missing named feature needs a user
 * schema, and a solver that does not converge cannot be provoked on purpose).
 */
public enum MalformedKind {
  /** Text where Avro was expected: no single-object marker (nor registry magic byte). */
  NOT_AVRO(DeadLetterReason.MALFORMED_AVRO),
  /** A Kafka tombstone: a record without a value. */
  EMPTY_VALUE(DeadLetterReason.MALFORMED_AVRO),
  /** A valid record cut off in the middle of its body. */
  TRUNCATED(DeadLetterReason.MALFORMED_AVRO),
  /** A record whose schema fingerprint no reader knows. */
  UNKNOWN_SCHEMA(DeadLetterReason.UNKNOWN_SCHEMA),
  /** A well-formed record with a NaN feature. */
  NON_FINITE_FEATURE(DeadLetterReason.NON_FINITE_VALUE),
  /** A well-formed record with one feature too few. */
  WRONG_DIMENSION(DeadLetterReason.DIMENSION_MISMATCH);

  private final DeadLetterReason expectedReason;

  MalformedKind(DeadLetterReason expectedReason) {
    this.expectedReason = expectedReason;
  }

  /** The reason the job's dead letter for this record must carry. */
  public DeadLetterReason expectedReason() {
    return expectedReason;
  }

  /**
   * The value bytes of a bad record built from a real row, or {@code null} for {@link #EMPTY_VALUE}.
   *
   * @param codec the encoder of FeatureVector (single-object or schema-registry framed), for the kinds that start
   *     from a valid record
   */
  public byte[] value(String id, double[] row, Instant now, Function<FeatureVector, byte[]> codec) {
    switch (this) {
      case NOT_AVRO:
        return ("id=" + id + ",features=" + Arrays.toString(row)).getBytes(StandardCharsets.UTF_8);
      case EMPTY_VALUE:
        return null;
      case TRUNCATED: {
        byte[] whole = codec.apply(vector(id, row, now));
        return Arrays.copyOf(whole, whole.length / 2 + 5);
      }
      case UNKNOWN_SCHEMA: {
        byte[] bytes = codec.apply(vector(id, row, now));
        // Bytes 2..9 are the writer schema's fingerprint in single-object encoding, and bytes 2..4 part of the
        // schema id in schema-registry framing: flipping them names a schema nobody registered.
        for (int i = 2; i < 10; i++) {
          bytes[i] = (byte) ~bytes[i];
        }
        return bytes;
      }
      case NON_FINITE_FEATURE: {
        double[] copy = row.clone();
        copy[copy.length / 2] = Double.NaN;
        return codec.apply(vector(id, copy, now));
      }
      case WRONG_DIMENSION:
        return codec.apply(vector(id, Arrays.copyOf(row, row.length - 1), now));
      default:
        throw new IllegalStateException("unhandled kind " + this);
    }
  }

  /** A FeatureVector with these values, stamped with the time it is produced. */
  public static FeatureVector vector(String id, double[] row, Instant now) {
    List<Double> features = new ArrayList<>(row.length);
    for (double value : row) {
      features.add(value);
    }
    return FeatureVector.newBuilder().setId(id).setTimestamp(now).setFeatures(features).build();
  }
}
