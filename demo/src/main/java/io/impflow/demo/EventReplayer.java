package io.impflow.demo;

import io.impflow.schemas.avro.FeatureVector;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes a {@link ReplayPlan} into the input topic on its own thread, at a fixed rate or as fast as the producer
 * goes; every FeatureVector is stamped with the time it is sent, from which the demo measures end-to-end latency.
 */
public final class EventReplayer implements AutoCloseable {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final ReplayPlan plan;
  private final String topic;
  private final double rate;
  private final KafkaProducer<byte[], byte[]> producer;
  private final Function<FeatureVector, byte[]> codec;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private final Thread thread;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean stopped;
  private volatile long startNanos;
  private volatile long lastAcknowledgedNanos;

  /**
   * A replayer of {@code plan} into {@code topic}.
   *
   * @param producerProperties connection settings; byte-array serializers are set here
   * @param rate records per second, 0 = unthrottled
   * @param codec the encoder of events, used by this replayer's thread only
   */
  public EventReplayer(ReplayPlan plan, String topic, double rate, Properties producerProperties,
      Function<FeatureVector, byte[]> codec) {
    this.plan = plan;
    this.codec = codec;
    this.topic = topic;
    this.rate = rate;
    Properties properties = new Properties();
    properties.putAll(producerProperties);
    properties.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    properties.put(ProducerConfig.CLIENT_ID_CONFIG, "impflow-demo-replay");
    this.producer = new KafkaProducer<>(properties);
    this.thread = new Thread(this::replay, "impflow-demo-replay");
    this.thread.setDaemon(true);
  }

  /** Starts writing. */
  public void start() {
    startNanos = System.nanoTime();
    thread.start();
  }

  private void replay() {
    try {
      for (ReplayPlan.Entry entry : plan.entries()) {
        if (stopped || failure.get() != null) {
          return;
        }
        pace();
        Instant now = Instant.now();
        byte[] value = entry.malformed() == null
            ? codec.apply(MalformedKind.vector(entry.id(), entry.row(), now))
            : entry.malformed().value(entry.id(), entry.row(), now, codec);
        producer.send(new ProducerRecord<>(topic, entry.id().getBytes(StandardCharsets.UTF_8), value),
            (metadata, exception) -> {
              if (exception != null) {
                failure.compareAndSet(null, exception);
              } else {
                lastAcknowledgedNanos = System.nanoTime();
                acknowledged.incrementAndGet();
              }
            });
        sent.incrementAndGet();
      }
      producer.flush();
    } catch (RuntimeException e) {
      failure.compareAndSet(null, e);
    }
  }

  private void pace() {
    if (rate <= 0) {
      return;
    }
    long due = startNanos + (long) (sent.get() * NANOS_PER_SECOND / rate);
    long wait = due - System.nanoTime();
    if (wait > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stopped = true;
      }
    }
  }

  /** {@link System#nanoTime()} when writing started. */
  public long startNanos() {
    return startNanos;
  }

  /** Seconds from the start of writing to the last acknowledgement so far. */
  public double writeSeconds() {
    return lastAcknowledgedNanos == 0 ? 0 : (lastAcknowledgedNanos - startNanos) / 1e9;
  }

  /** Records the broker acknowledged so far. */
  public long acknowledged() {
    return acknowledged.get();
  }

  /** Whether every record was written and acknowledged. */
  public boolean done() {
    return acknowledged.get() == plan.size();
  }

  /** The first send failure, or {@code null}. */
  public Exception failure() {
    return failure.get();
  }

  /** Stops writing (if still writing) and closes the producer. */
  @Override
  public void close() throws InterruptedException {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    stopped = true;
    thread.join(TimeUnit.SECONDS.toMillis(10));
    producer.close(java.time.Duration.ofSeconds(5));
  }
}
