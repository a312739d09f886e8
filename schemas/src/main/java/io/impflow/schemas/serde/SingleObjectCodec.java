package io.impflow.schemas.serde;

import io.impflow.schemas.avro.DeadLetterReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DatumReader;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro single-object encoding: marker {@code C3 01}, the writer schema's 8-byte little-endian CRC-64-AVRO
 * fingerprint, then the binary body; decoding looks the writer schema up in a {@link SchemaStore} and resolves it
 * to this codec's reader schema, so records written with an older compatible schema still decode. Thread-safe.
 *
 * @param <D> the record type
 */
public final class SingleObjectCodec<D> implements AvroCodec<D> {
  private static final String ENCODING = "Avro single-object encoding (C3 01 + 8-byte schema fingerprint + body)";
  private static final int HEADER_LENGTH = 10;

  private final GenericData model;
  private final Schema readerSchema;
  private final SchemaStore store;
  private final BinaryMessageEncoder<D> encoder;
  private final Map<Long, Resolution<D>> resolutions = new ConcurrentHashMap<>();

  private SingleObjectCodec(GenericData model, Schema readerSchema, SchemaStore store) {
    this.model = model;
    this.readerSchema = readerSchema;
    this.store = Objects.requireNonNull(store, "store");
    this.encoder = new BinaryMessageEncoder<>(model, readerSchema);
    store.register(readerSchema);
  }

  /**
   * A codec for a generated record class; the class's schema is registered in the store (the store may already
   * hold it, and any older versions of it).
   */
  public static <T extends SpecificRecord> SingleObjectCodec<T> forSpecific(Class<T> recordClass,
      SchemaStore store) {
    SpecificData model = SpecificData.getForClass(Objects.requireNonNull(recordClass, "recordClass"));
    return new SingleObjectCodec<>(model, model.getSchema(recordClass), store);
  }

  /**
   * A codec for generic records read with the given reader schema (for example a user's own record schema with
   * named numeric fields); the reader schema is registered in the store as a writer schema too.
   */
  public static SingleObjectCodec<GenericRecord> forGeneric(Schema readerSchema, SchemaStore store) {
    return new SingleObjectCodec<>(GenericData.get(), Objects.requireNonNull(readerSchema, "readerSchema"), store);
  }

  /** The schema records are decoded into and encoded with. */
  public Schema readerSchema() {
    return readerSchema;
  }

  @Override
  public byte[] encode(D record) {
    ByteBuffer buffer;
    try {
      buffer = encoder.encode(record);
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory failed", e);
    } catch (RuntimeException e) {
      throw AvroBody.cannotEncode(readerSchema, e);
    }
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }

  @Override
  public D decode(byte[] message) {
    AvroBody.requireContent(message, ENCODING);
    if (message.length < 2 || message[0] != (byte) 0xC3 || message[1] != (byte) 0x01) {
      throw new AvroDecodeException(DeadLetterReason.MALFORMED_AVRO, "no single-object marker C3 01 (first bytes "
          + AvroBody.preview(message) + " of " + message.length + "): the producer did not write " + ENCODING);
    }
    if (message.length < HEADER_LENGTH) {
      throw new AvroDecodeException(DeadLetterReason.MALFORMED_AVRO, "truncated header: " + message.length
          + " bytes, but the marker and the schema fingerprint alone take " + HEADER_LENGTH);
    }
    long fingerprint = ByteBuffer.wrap(message, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    Resolution<D> resolution = resolutions.get(fingerprint);
    if (resolution == null) {
      Schema writer = store.find(fingerprint).orElseThrow(() -> new AvroDecodeException(
          DeadLetterReason.UNKNOWN_SCHEMA, "unknown schema fingerprint " + SchemaStore.hex(fingerprint)
              + ": no writer schema with this CRC-64-AVRO fingerprint is registered for reading "
              + readerSchema.getFullName() + "; register the producer's schema with SchemaStore.register"));
      resolution = resolutions.computeIfAbsent(fingerprint, fp -> resolve(fp, writer));
    }
    if (resolution.incompatibility() != null) {
      throw new AvroDecodeException(DeadLetterReason.UNKNOWN_SCHEMA, resolution.incompatibility());
    }
    return AvroBody.read(resolution.reader(), resolution.writer(), message, HEADER_LENGTH);
  }

  private Resolution<D> resolve(long fingerprint, Schema writer) {
    String incompatibility = SchemaResolution.incompatibility(writer, readerSchema);
    if (incompatibility != null) {
      return new Resolution<>(writer, null, "writer schema " + SchemaResolution.describe(writer) + " cannot be "
          + "read as " + SchemaResolution.describe(readerSchema) + ": " + incompatibility
          + "; the producer's schema is not a compatible version of the reader's");
    }
    @SuppressWarnings("unchecked")
    DatumReader<D> reader = (DatumReader<D>) model.createDatumReader(writer, readerSchema);
    return new Resolution<>(writer, reader, null);
  }

  /** A writer schema with the reader that resolves it to the reader schema, or why it cannot be resolved. */
  private record Resolution<D>(Schema writer, DatumReader<D> reader, String incompatibility) {}
}
