package io.impflow.job.decode;

import io.impflow.schemas.avro.DeadLetter;
import io.impflow.schemas.avro.DeadLetterReason;
import io.impflow.schemas.avro.SourcePosition;
import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * One Kafka record exactly as it was read: where it came from and its raw key and value bytes, kept so that a record
 * that cannot be scored becomes a dead letter carrying the original bytes.
 *
 * <p>A Flink POJO (public fields, no-argument constructor) so that Flink serializes it without Kryo.
 */
public class RawRecord {
  /** The source topic. */
  public String topic;
  /** The source partition. */
  public int partition;
  /** The record's offset in its partition. */
  public long offset;
  /** The Kafka record timestamp in epoch milliseconds. */
  public long kafkaTimestamp;
  /** The raw key bytes, or null for a record without key. */
  public byte[] key;
  /** The raw value bytes, or null for a tombstone. */
  public byte[] value;

  /** For Flink's POJO serializer. */
  public RawRecord() {}

  /** A raw record read at {@code topic-partition@offset}. */
  public RawRecord(String topic, int partition, long offset, long kafkaTimestamp, byte[] key, byte[] value) {
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.kafkaTimestamp = kafkaTimestamp;
    this.key = key;
    this.value = value;
  }

  /** Where the record was read, as the Avro {@code SourcePosition}. */
  public SourcePosition position() {
    return new SourcePosition(topic, partition, offset);
  }

  /** Where the record was read, as people write it in logs: {@code events-2@1041}. */
  public String where() {
    return topic + "-" + partition + "@" + offset;
  }

  /** The dead letter for this record, with its raw bytes, the reason and a message saying what was wrong. */
  public DeadLetter toDeadLetter(DeadLetterReason reason, String message, Instant now) {
    return DeadLetter.newBuilder()
        .setSource(position())
        .setKey(key == null ? null : ByteBuffer.wrap(key))
        .setValue(value == null ? null : ByteBuffer.wrap(value))
        .setReason(reason)
        .setMessage(where() + ": " + message)
        .setTimestamp(now)
        .build();
  }
}
