package io.impflow.schemas.serde;

import io.impflow.schemas.avro.DeadLetterReason;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/** Reads and writes the Avro binary body of a message, turning every way the bytes can be bad into one exception. */
final class AvroBody {
  private static final int PREVIEW_BYTES = 8;

  private AvroBody() {}

  /** Fails with MALFORMED_AVRO on a null or empty message, which no encoding here can produce. */
  static void requireContent(byte[] message, String encoding) {
    if (message == null) {
      throw new AvroDecodeException(DeadLetterReason.MALFORMED_AVRO,
          "null message: expected a record in " + encoding + " (a Kafka tombstone or an empty value?)");
    }
    if (message.length == 0) {
      throw new AvroDecodeException(DeadLetterReason.MALFORMED_AVRO,
          "empty message (0 bytes): expected a record in " + encoding);
    }
  }

  /**
   * Decodes one record from {@code message[offset..]}; the body must hold exactly one record, so bytes left over
   * count as malformed.
   */
  static <D> D read(DatumReader<D> reader, Schema writer, byte[] message, int offset) {
    int bodyLength = message.length - offset;
    BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(message, offset, bodyLength, null);
    D record;
    try {
      record = reader.read(null, new BoundedDecoder(decoder, bodyLength));
    } catch (EOFException e) {
      throw new AvroDecodeException(DeadLetterReason.MALFORMED_AVRO, "truncated body: the " + bodyLength
          + "-byte body ends before a whole " + writer.getFullName() + " record was read", e);
    } catch (IOException | RuntimeException e) {
      throw new AvroDecodeException(DeadLetterReason.MALFORMED_AVRO, "undecodable body: the " + bodyLength
          + "-byte body is not a " + writer.getFullName() + " record (" + e + ")", e);
    }
    int left = remaining(decoder);
    if (left > 0) {
      throw new AvroDecodeException(DeadLetterReason.MALFORMED_AVRO, "trailing garbage: " + left
          + " bytes left after a whole " + writer.getFullName() + " record in a " + bodyLength
          + "-byte body (written with a different schema than the one registered, or corrupted)");
    }
    return record;
  }

  /** The record's Avro binary body. */
  static <D> byte[] write(DatumWriter<D> writer, Schema schema, D record) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    write(writer, schema, record, EncoderFactory.get().directBinaryEncoder(out, null));
    return out.toByteArray();
  }

  /** Writes the record's Avro binary body to {@code encoder} and flushes it. */
  static <D> void write(DatumWriter<D> writer, Schema schema, D record, BinaryEncoder encoder) {
    try {
      writer.write(record, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory failed", e);
    } catch (RuntimeException e) {
      throw cannotEncode(schema, e);
    }
  }

  /** The exception for a record that does not fit its own schema. */
  static IllegalArgumentException cannotEncode(Schema schema, RuntimeException cause) {
    return new IllegalArgumentException("cannot encode a " + schema.getFullName() + " record: " + cause
        + " (are all required fields set?)", cause);
  }

  /** The first bytes of a message in hex, for error messages, e.g. {@code "7b 22 69 64 ..."}. */
  static String preview(byte[] message) {
    StringBuilder hex = new StringBuilder();
    for (int i = 0; i < Math.min(PREVIEW_BYTES, message.length); i++) {
      if (i > 0) {
        hex.append(' ');
      }
      hex.append(String.format("%02x", message[i] & 0xff));
    }
    if (message.length > PREVIEW_BYTES) {
      hex.append(" ...");
    }
    return hex.toString();
  }

  private static int remaining(BinaryDecoder decoder) {
    try {
      return decoder.inputStream().available();
    } catch (IOException e) {
      throw new UncheckedIOException("reading from memory failed", e);
    }
  }
}
