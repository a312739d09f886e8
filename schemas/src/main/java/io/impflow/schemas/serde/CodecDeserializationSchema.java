package io.impflow.schemas.serde;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * A Flink deserialization schema that reads records through the codec its subclass chooses; bad bytes raise
 * {@link AvroDecodeException}, which a dead-letter path can catch.
 */
abstract class CodecDeserializationSchema<T extends SpecificRecord> implements DeserializationSchema<T> {
  private static final long serialVersionUID = 1L;

  private final CodecBinding<T> binding;

  CodecDeserializationSchema(Class<T> recordClass, CodecFactory<T> factory) {
    this.binding = new CodecBinding<>(recordClass, factory);
  }

  @Override
  public void open(InitializationContext context) {
    binding.codec();
  }

  @Override
  public T deserialize(byte[] message) {
    return binding.codec().decode(message);
  }

  @Override
  public boolean isEndOfStream(T nextElement) {
    return false;
  }

  @Override
  public TypeInformation<T> getProducedType() {
    return TypeInformation.of(binding.recordClass());
  }
}
