package io.impflow.job.metrics;

import io.impflow.schemas.avro.DeadLetterReason;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * One {@code deadLetters} counter per reason, in the metric group {@code reason=<REASON>}, all registered up front
 * so that a dashboard shows zeros rather than missing series.
 */
public final class DeadLetterCounters {
  private final Map<DeadLetterReason, Counter> counters = new EnumMap<>(DeadLetterReason.class);

  /** Registers the counters under {@code group}. */
  public DeadLetterCounters(MetricGroup group) {
    for (DeadLetterReason reason : DeadLetterReason.values()) {
      counters.put(reason, group.addGroup("reason", reason.name()).counter("deadLetters"));
    }
  }

  /** Counts one dead letter with this reason. */
  public void count(DeadLetterReason reason) {
    counters.get(reason).inc();
  }
}
