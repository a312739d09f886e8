package io.impflow.schemas.serde;

import java.io.ByteArrayOutputStream;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Writes generated records schema-registry framed ({@link ConfluentFraming}) under a schema id already registered
 * for the record class's schema. Reuses its buffers: one instance per thread.
 *
 * @param <T> the generated record class
 */
public final class ConfluentEncoder<T extends SpecificRecord> {
  private final Schema schema;
  private final DatumWriter<T> writer;
  private final byte[] header = new byte[ConfluentFraming.HEADER_LENGTH];
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
  private BinaryEncoder encoder;

  /** An encoder of {@code recordClass} records whose schema the registry knows as {@code schemaId}. */
  @SuppressWarnings("unchecked")
  public ConfluentEncoder(Class<T> recordClass, int schemaId) {
    SpecificData model = SpecificData.getForClass(Objects.requireNonNull(recordClass, "recordClass"));
    this.schema = model.getSchema(recordClass);
    this.writer = (DatumWriter<T>) model.createDatumWriter(schema);
    ConfluentFraming.writeHeader(schemaId, header);
  }

  /**
   * The framed bytes of {@code record}.
   *
   * @throws IllegalArgumentException if the record does not fit its own schema (for example a null required field)
   */
  public byte[] encode(T record) {
    buffer.reset();
    buffer.writeBytes(header);
    encoder = EncoderFactory.get().directBinaryEncoder(buffer, encoder);
    AvroBody.write(writer, schema, record, encoder);
    return buffer.toByteArray();
  }
}
