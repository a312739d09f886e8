package io.impflow.job;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A test sink that collects what the job writes into a JVM-wide queue named by the sink, so that a test running
 * the job on a MiniCluster in the same JVM can read it back.
 */
public final class CollectingSink<T> implements Sink<T> {
  private static final long serialVersionUID = 1L;
  private static final Map<String, Queue<Object>> COLLECTED = new ConcurrentHashMap<>();

  private final String name;

  /** A sink collecting into the (new, empty) queue {@code name}. */
  public CollectingSink(String name) {
    this.name = name;
    COLLECTED.put(name, new ConcurrentLinkedQueue<>());
  }

  /** What the sink collected so far, in arrival order. */
  @SuppressWarnings("unchecked")
  public List<T> collected() {
    List<T> values = new ArrayList<>();
    COLLECTED.get(name).forEach(v -> values.add((T) v));
    return values;
  }

  @Override
  public SinkWriter<T> createWriter(WriterInitContext context) {
    Queue<Object> queue = COLLECTED.get(name);
    return new SinkWriter<>() {
      @Override
      public void write(T element, Context ctx) {
        queue.add(element);
      }

      @Override
      public void flush(boolean endOfInput) {}

      @Override
      public void close() {}
    };
  }
}
