package io.impflow.schemas.serde;

import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * A Kafka deserializer that reads records through the codec its subclass chooses; every bad value, null included,
 * raises {@link AvroDecodeException} naming the topic (the consumer adds partition and offset).
 */
abstract class CodecDeserializer<T extends SpecificRecord> implements Deserializer<T> {
  private final CodecBinding<T> binding;

  CodecDeserializer(Class<T> recordClass, CodecFactory<T> factory) {
    this.binding = new CodecBinding<>(recordClass, factory);
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    binding.configure(configs);
  }

  @Override
  public T deserialize(String topic, byte[] value) {
    try {
      return binding.codec().decode(value);
    } catch (AvroDecodeException e) {
      throw e.at("topic " + topic);
    }
  }
}
