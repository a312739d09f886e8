package io.impflow.schemas.serde;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;

/** A Flink serialization schema that writes records through the codec its subclass chooses. */
abstract class CodecSerializationSchema<T extends SpecificRecord> implements SerializationSchema<T> {
  private static final long serialVersionUID = 1L;

  private final CodecBinding<T> binding;

  CodecSerializationSchema(Class<T> recordClass, CodecFactory<T> factory) {
    this.binding = new CodecBinding<>(recordClass, factory);
  }

  @Override
  public void open(InitializationContext context) {
    binding.codec();
  }

  @Override
  public byte[] serialize(T record) {
    return binding.codec().encode(record);
  }
}
