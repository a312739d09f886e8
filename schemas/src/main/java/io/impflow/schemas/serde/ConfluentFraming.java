package io.impflow.schemas.serde;

import io.impflow.schemas.avro.DeadLetterReason;

/**
 * The Confluent wire format of schema-registry framed Avro: magic byte {@code 0x00}, the writer schema's registry id
 * as 4 bytes big-endian, then the Avro binary body. Confluent's serializers, Kafka Connect's AvroConverter, Flink's
 * {@code avro-confluent} format and Apicurio Registry 3.x (by default) all write it.
 */
public final class ConfluentFraming {
  /** The first byte of every framed message. */
  public static final byte MAGIC = 0x00;
  /** Bytes before the body: the magic byte and the 4-byte id. */
  public static final int HEADER_LENGTH = 5;
  private static final String ENCODING = "schema-registry framing (0x00 + 4-byte schema id + Avro body)";

  private ConfluentFraming() {}

  /**
   * The schema id of a framed message.
   *
   * @throws AvroDecodeException with MALFORMED_AVRO for a null, empty, short or unframed message
   */
  public static int schemaId(byte[] message) {
    AvroBody.requireContent(message, ENCODING);
    if (message[0] != MAGIC) {
      throw new AvroDecodeException(DeadLetterReason.MALFORMED_AVRO, "no magic byte 0x00 (first bytes "
          + AvroBody.preview(message) + " of " + message.length + "): the producer did not write " + ENCODING
          + (message[0] == (byte) 0xC3 ? "; C3 01 is single-object encoding: use --input-encoding single-object"
              : ""));
    }
    if (message.length < HEADER_LENGTH) {
      throw new AvroDecodeException(DeadLetterReason.MALFORMED_AVRO, "truncated header: " + message.length
          + " bytes, but the magic byte and the schema id alone take " + HEADER_LENGTH);
    }
    return ((message[1] & 0xff) << 24) | ((message[2] & 0xff) << 16) | ((message[3] & 0xff) << 8)
        | (message[4] & 0xff);
  }

  /** Writes the header for {@code schemaId} into {@code target[0..5)}. */
  static void writeHeader(int schemaId, byte[] target) {
    target[0] = MAGIC;
    target[1] = (byte) (schemaId >>> 24);
    target[2] = (byte) (schemaId >>> 16);
    target[3] = (byte) (schemaId >>> 8);
    target[4] = (byte) schemaId;
  }
}
