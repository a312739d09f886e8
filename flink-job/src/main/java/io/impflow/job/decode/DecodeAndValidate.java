package io.impflow.job.decode;

import io.impflow.job.metrics.DeadLetterCounters;
import io.impflow.schemas.avro.DeadLetter;
import io.impflow.schemas.avro.DeadLetterReason;
import io.impflow.schemas.registry.RegistryUnavailableException;
import io.impflow.schemas.serde.AvroDecodeException;
import java.time.Instant;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The decode-and-validate step of the job: each raw record leaves either as a feature record (main output) or as a
 * dead letter (side output {@link #DEAD_LETTERS}) with its raw bytes and the reason; nothing is dropped. An
 * unreachable schema registry is no reason: it fails the task instead (after the client's retries), and the job
 * restarts from its checkpoint.
 */
public final class DecodeAndValidate extends ProcessFunction<RawRecord, FeatureRecord> {
  private static final long serialVersionUID = 1L;

  /** Side output of records that could not be decoded or do not fit the model. */
  public static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("decode-dead-letters", new AvroTypeInfo<>(DeadLetter.class));

  private final InputSpec input;
  private transient RecordDecoder decoder;
  private transient FeatureRowValidator validator;
  private transient DeadLetterCounters deadLetterCounters;

  /** A step decoding records as {@code input} describes. */
  public DecodeAndValidate(InputSpec input) {
    this.input = input;
  }

  @Override
  public void open(OpenContext openContext) {
    decoder = input.decoder();
    validator = new FeatureRowValidator(input.modelFeatureNames());
    deadLetterCounters = new DeadLetterCounters(getRuntimeContext().getMetricGroup());
  }

  @Override
  public void processElement(RawRecord raw, Context ctx, Collector<FeatureRecord> out) {
    DeadLetter deadLetter = decodeOrReject(decoder, validator, raw, out);
    if (deadLetter != null) {
      deadLetterCounters.count(deadLetter.getReason());
      ctx.output(DEAD_LETTERS, deadLetter);
    }
  }

  /**
   * Decodes and validates one record: emits the feature record to {@code out} and returns null, or returns the dead
   * letter saying why the record cannot be scored. Callable without Flink.
   */
  public static DeadLetter decodeOrReject(RecordDecoder decoder, FeatureRowValidator validator, RawRecord raw,
      Collector<FeatureRecord> out) {
    FeatureRecord record;
    try {
      record = validator.validate(decoder.decode(raw));
    } catch (AvroDecodeException e) {
      return raw.toDeadLetter(e.reason(), e.getMessage(), Instant.now());
    } catch (RecordRejectedException e) {
      return raw.toDeadLetter(e.reason(), e.getMessage(), Instant.now());
    } catch (RegistryUnavailableException e) {
      // Not the record's fault: the task fails, and Flink restarts the job from its checkpoint with backoff.
      throw new RegistryUnavailableException(raw.where() + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      // A record that breaks a decoder in a way it did not foresee is still the record's fault, not the job's.
      return raw.toDeadLetter(DeadLetterReason.MALFORMED_AVRO, "undecodable record (" + e + ")", Instant.now());
    }
    out.collect(record);
    return null;
  }
}
