package io.impflow.trainer.fit;

import java.util.concurrent.atomic.AtomicBoolean;

/** A request, from another thread (a Ctrl-C shutdown hook), that training stop after the current step. */
public final class StopSignal {

  private final AtomicBoolean requested = new AtomicBoolean();

  /** Asks training to stop after the current optimizer step. */
  public void request() {
    requested.set(true);
  }

  /** Whether a stop was requested. */
  public boolean isRequested() {
    return requested.get();
  }
}
