package io.impflow.demo;

import io.impflow.schemas.avro.Alert;
import io.impflow.schemas.avro.DeadLetter;
import io.impflow.schemas.avro.DeadLetterReason;
import io.impflow.schemas.avro.ScoredEvent;
import io.impflow.schemas.serde.AvroDecodeException;
import io.impflow.schemas.serde.SchemaStore;
import io.impflow.schemas.serde.SingleObjectCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Follows the job's output topics ({@code read_committed}, from where this run started) on its own thread and
 * gathers what the summary needs: every score of this run's rows, end-to-end latency, alerts and dead letters by
 * reason. Records of other runs (an existing cluster's older data) are skipped by their id prefix.
 */
public final class ResultCollector implements AutoCloseable {
  private static final Duration POLL = Duration.ofMillis(200);

  private final ReplayPlan plan;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final SchemaStore store = SchemaStore.withGeneratedSchemas();
  private final SingleObjectCodec<ScoredEvent> scoreCodec = SingleObjectCodec.forSpecific(ScoredEvent.class, store);
  private final SingleObjectCodec<Alert> alertCodec = SingleObjectCodec.forSpecific(Alert.class, store);
  private final SingleObjectCodec<DeadLetter> deadLetterCodec = SingleObjectCodec.forSpecific(DeadLetter.class, store);
  private final Thread thread;
  private final AtomicLong scored = new AtomicLong();
  private final AtomicLong flaggedScores = new AtomicLong();
  private final AtomicLong alerts = new AtomicLong();
  private final AtomicLong deadLetters = new AtomicLong();
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean stopped;
  private volatile long lastResultNanos;

  // Written by the collector thread only; read after close() (Thread.join gives the happens-before).
  private final Map<String, ScoredEvent> scores = new HashMap<>();
  private final List<Long> latenciesMillis = new ArrayList<>();
  private final Set<String> alertIds = new HashSet<>();
  private final Map<DeadLetterReason, Integer> deadLettersByReason = new EnumMap<>(DeadLetterReason.class);
  private final List<String> unexpectedDeadLetters = new ArrayList<>();
  private final Map<String, DeadLetterReason> deadLetterIds = new HashMap<>();
  private int duplicates;

  /**
   * A collector reading the output topics from {@code startOffsets} (their end offsets before the job started).
   *
   * @param consumerProperties connection settings ({@code read_committed}, byte-array deserializers)
   */
  public ResultCollector(ReplayPlan plan, Properties consumerProperties, Map<TopicPartition, Long> startOffsets) {
    this.plan = plan;
    this.consumer = new KafkaConsumer<>(consumerProperties);
    List<TopicPartition> partitions = new ArrayList<>(startOffsets.keySet());
    consumer.assign(partitions);
    startOffsets.forEach(consumer::seek);
    this.thread = new Thread(this::collect, "impflow-demo-results");
    this.thread.setDaemon(true);
  }

  /** Starts following the topics. */
  public void start() {
    thread.start();
  }

  private void collect() {
    try {
      while (!stopped) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
          accept(record);
        }
      }
    } catch (RuntimeException e) {
      if (!stopped) {
        failure.compareAndSet(null, e);
      }
    }
  }

  private void accept(ConsumerRecord<byte[], byte[]> record) {
    long receivedMillis = System.currentTimeMillis();
    String where = record.topic() + "-" + record.partition() + "@" + record.offset();
    try {
      switch (record.topic()) {
        case DemoKafka.SCORES -> acceptScore(scoreCodec.decode(record.value()), receivedMillis);
        case DemoKafka.ALERTS -> acceptAlert(alertCodec.decode(record.value()));
        case DemoKafka.DEAD_LETTERS -> acceptDeadLetter(deadLetterCodec.decode(record.value()));
        default -> throw new IllegalStateException("not subscribed to " + record.topic());
      }
    } catch (AvroDecodeException e) {
      throw e.at(where);
    }
  }

  private void acceptScore(ScoredEvent event, long receivedMillis) {
    if (plan.label(event.getId()) == null) {
      return; // another run's record
    }
    if (scores.putIfAbsent(event.getId(), event) != null || deadLetterIds.containsKey(event.getId())) {
      duplicates++;
      return;
    }
    latenciesMillis.add(receivedMillis - event.getTimestamp().toEpochMilli());
    if (event.getIsAnomaly()) {
      flaggedScores.incrementAndGet();
    }
    scored.incrementAndGet();
    lastResultNanos = System.nanoTime();
  }

  private void acceptAlert(Alert alert) {
    String id = alert.getEvent().getId();
    if (plan.label(id) == null) {
      return;
    }
    if (!alertIds.add(id)) {
      duplicates++;
      return;
    }
    alerts.incrementAndGet();
  }

  private void acceptDeadLetter(DeadLetter deadLetter) {
    String id = keyOf(deadLetter);
    if (id == null || (plan.label(id) == null && plan.malformedKind(id) == null)) {
      return;
    }
    if (deadLetterIds.putIfAbsent(id, deadLetter.getReason()) != null || scores.containsKey(id)) {
      duplicates++;
      return;
    }
    deadLettersByReason.merge(deadLetter.getReason(), 1, Integer::sum);
    MalformedKind kind = plan.malformedKind(id);
    if (kind == null || kind.expectedReason() != deadLetter.getReason()) {
      unexpectedDeadLetters.add(id + " (" + deadLetter.getReason() + ": " + deadLetter.getMessage() + ")");
    }
    deadLetters.incrementAndGet();
    lastResultNanos = System.nanoTime();
  }

  private static String keyOf(DeadLetter deadLetter) {
    ByteBuffer key = deadLetter.getKey();
    if (key == null) {
      return null;
    }
    byte[] bytes = new byte[key.remaining()];
    key.duplicate().get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** Scores of this run's rows received so far. */
  public long scored() {
    return scored.get();
  }

  /**
   * Scores received so far that flag their row: each must also come as an alert, which the job writes through
   * another sink, so alerts can be committed (and arrive) a little after their scores.
   */
  public long flaggedScores() {
    return flaggedScores.get();
  }

  /** Alerts of this run's rows received so far. */
  public long alerts() {
    return alerts.get();
  }

  /** Dead letters of this run's records received so far. */
  public long deadLetters() {
    return deadLetters.get();
  }

  /** Records accounted for: scored plus dead letters. */
  public long accounted() {
    return scored.get() + deadLetters.get();
  }

  /** {@link System#nanoTime()} of the last score or dead letter, 0 before the first. */
  public long lastResultNanos() {
    return lastResultNanos;
  }

  /** Why the collector stopped on its own (an undecodable output record), or {@code null}. */
  public Exception failure() {
    return failure.get();
  }

  /** Stops following the topics; the getters below are valid afterwards. */
  @Override
  public void close() throws InterruptedException {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    stopped = true;
    consumer.wakeup();
    thread.join(TimeUnit.SECONDS.toMillis(10));
    consumer.close(Duration.ofSeconds(5));
  }

  /** Every score of this run's rows by id (after {@link #close()}). */
  public Map<String, ScoredEvent> scores() {
    return scores;
  }

  /** End-to-end latency per scored record in ms, produce to committed score (after {@link #close()}). */
  public List<Long> latenciesMillis() {
    return latenciesMillis;
  }

  /** Dead letters by reason (after {@link #close()}). */
  public Map<DeadLetterReason, Integer> deadLettersByReason() {
    return deadLettersByReason;
  }

  /** Dead letters whose reason is not the one injected, or that hit a valid row (after {@link #close()}). */
  public List<String> unexpectedDeadLetters() {
    return unexpectedDeadLetters;
  }

  /** Results seen twice for the same record; exactly-once delivery keeps this at 0 (after {@link #close()}). */
  public int duplicates() {
    return duplicates;
  }
}
