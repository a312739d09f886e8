package io.impflow.job.sink;

import io.impflow.schemas.avro.ModelUpdate;
import io.impflow.schemas.serde.AvroDecodeException;
import io.impflow.schemas.serde.SchemaStore;
import io.impflow.schemas.serde.SingleObjectCodec;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads single-object-encoded {@link ModelUpdate} announcements; an undecodable announcement is logged with its
 * position and skipped, since a bad control message must not stop the scoring of data.
 */
public final class ModelUpdateDeserializationSchema implements KafkaRecordDeserializationSchema<ModelUpdate> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ModelUpdateDeserializationSchema.class);

  private transient SingleObjectCodec<ModelUpdate> codec;

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ModelUpdate> out) {
    if (codec == null) {
      codec = SingleObjectCodec.forSpecific(ModelUpdate.class, SchemaStore.withGeneratedSchemas());
    }
    try {
      out.collect(codec.decode(record.value()));
    } catch (AvroDecodeException e) {
      LOG.error("Skipping undecodable model update at {}-{}@{} ({}): {}", record.topic(), record.partition(),
          record.offset(), e.reason(), e.getMessage());
    }
  }

  @Override
  public TypeInformation<ModelUpdate> getProducedType() {
    return new AvroTypeInfo<>(ModelUpdate.class);
  }
}
