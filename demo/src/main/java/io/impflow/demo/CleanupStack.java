package io.impflow.demo;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * What the demo has started, closed in reverse order exactly once, whether the run ends normally, fails at some
 * step, or is stopped by Ctrl-C; a failure to close one thing does not keep the others open.
 */
final class CleanupStack {

  /** Something to close, with the words that name it in messages. */
  interface Resource {
    void close() throws Exception;
  }

  private record Entry(String what, Resource resource) {}

  private final Deque<Entry> entries = new ArrayDeque<>();

  /** Registers {@code resource}; it is closed before everything registered earlier. */
  synchronized void push(String what, Resource resource) {
    entries.push(new Entry(what, resource));
  }

  /** Closes everything registered, newest first, and returns what could not be closed (empty when all went well). */
  synchronized List<String> closeAll() {
    List<String> failures = new ArrayList<>();
    while (!entries.isEmpty()) {
      Entry entry = entries.pop();
      try {
        entry.resource().close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failures.add(entry.what() + ": interrupted while closing");
      } catch (Exception | LinkageError e) {
        // A LinkageError (a class file removed under a running JVM) must not keep the rest running either.
        failures.add(entry.what() + ": " + e);
      }
    }
    return failures;
  }
}
