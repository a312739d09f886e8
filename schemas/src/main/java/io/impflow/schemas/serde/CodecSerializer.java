package io.impflow.schemas.serde;

import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;

/** A Kafka serializer that writes records through the codec its subclass chooses; null stays null (tombstone). */
abstract class CodecSerializer<T extends SpecificRecord> implements Serializer<T> {
  private final CodecBinding<T> binding;

  CodecSerializer(Class<T> recordClass, CodecFactory<T> factory) {
    this.binding = new CodecBinding<>(recordClass, factory);
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    binding.configure(configs);
  }

  @Override
  public byte[] serialize(String topic, T record) {
    return record == null ? null : binding.codec().encode(record);
  }
}
