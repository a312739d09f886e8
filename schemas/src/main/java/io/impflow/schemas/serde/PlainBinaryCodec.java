package io.impflow.schemas.serde;

import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Plain Avro binary with no header, for producers that agree on one writer schema out of band; records are written
 * with the record schema and read from bytes written with the fixed writer schema. Thread-safe.
 *
 * @param <D> the record type
 */
public final class PlainBinaryCodec<D> implements AvroCodec<D> {
  private final Schema recordSchema;
  private final Schema writerSchema;
  private final DatumWriter<D> writer;
  private final DatumReader<D> reader;

  @SuppressWarnings("unchecked")
  private PlainBinaryCodec(GenericData model, Schema recordSchema, Schema writerSchema) {
    this.recordSchema = recordSchema;
    this.writerSchema = Objects.requireNonNull(writerSchema, "writerSchema");
    String incompatibility = SchemaResolution.incompatibility(writerSchema, recordSchema);
    if (incompatibility != null) {
      throw new IllegalArgumentException("writer schema " + SchemaResolution.describe(writerSchema)
          + " cannot be read as " + SchemaResolution.describe(recordSchema) + ": " + incompatibility);
    }
    this.writer = (DatumWriter<D>) model.createDatumWriter(recordSchema);
    this.reader = (DatumReader<D>) model.createDatumReader(writerSchema, recordSchema);
  }

  /** A codec for a generated record class whose bytes are written with the class's own schema. */
  public static <T extends SpecificRecord> PlainBinaryCodec<T> forSpecific(Class<T> recordClass) {
    SpecificData model = SpecificData.getForClass(Objects.requireNonNull(recordClass, "recordClass"));
    return new PlainBinaryCodec<>(model, model.getSchema(recordClass), model.getSchema(recordClass));
  }

  /**
   * A codec for a generated record class that decodes bytes written with another (for example older) compatible
   * schema.
   *
   * @throws IllegalArgumentException if the writer schema cannot be resolved to the class's schema
   */
  public static <T extends SpecificRecord> PlainBinaryCodec<T> forSpecific(Class<T> recordClass,
      Schema writerSchema) {
    SpecificData model = SpecificData.getForClass(Objects.requireNonNull(recordClass, "recordClass"));
    return new PlainBinaryCodec<>(model, model.getSchema(recordClass), writerSchema);
  }

  /**
   * A codec for generic records of the reader schema, decoding bytes written with the writer schema.
   *
   * @throws IllegalArgumentException if the writer schema cannot be resolved to the reader schema
   */
  public static PlainBinaryCodec<GenericRecord> forGeneric(Schema writerSchema, Schema readerSchema) {
    return new PlainBinaryCodec<>(GenericData.get(), Objects.requireNonNull(readerSchema, "readerSchema"),
        writerSchema);
  }

  @Override
  public byte[] encode(D record) {
    return AvroBody.write(writer, recordSchema, record);
  }

  @Override
  public D decode(byte[] message) {
    AvroBody.requireContent(message, "plain Avro binary of " + writerSchema.getFullName());
    return AvroBody.read(reader, writerSchema, message, 0);
  }
}
