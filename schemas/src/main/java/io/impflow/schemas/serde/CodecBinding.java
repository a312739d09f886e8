package io.impflow.schemas.serde;

import java.io.Serializable;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * The record class and codec factory behind one serde adapter; serializable (Flink ships schemas to its tasks) and
 * builds the codec on first use, since codecs themselves are not serializable.
 */
final class CodecBinding<T extends SpecificRecord> implements Serializable {
  private static final long serialVersionUID = 1L;

  private final CodecFactory<T> factory;
  private Class<T> recordClass;
  private transient AvroCodec<T> codec;

  /** A binding whose record class is given now, or later by {@link #configure} when {@code recordClass} is null. */
  CodecBinding(Class<T> recordClass, CodecFactory<T> factory) {
    this.recordClass = recordClass;
    this.factory = factory;
  }

  /** Applies Kafka client configuration: the record class when none was given, and codec options. */
  void configure(Map<String, ?> configs) {
    if (recordClass == null) {
      recordClass = KafkaSerdeConfig.recordClass(configs);
    }
    codec = factory.create(recordClass, configs);
  }

  Class<T> recordClass() {
    return recordClass;
  }

  AvroCodec<T> codec() {
    if (codec == null) {
      if (recordClass == null) {
        throw new IllegalStateException("this serde has no record class: construct it with the class, or let "
            + "Kafka configure it with " + KafkaSerdeConfig.RECORD_CLASS);
      }
      codec = factory.create(recordClass, Map.of());
    }
    return codec;
  }
}
