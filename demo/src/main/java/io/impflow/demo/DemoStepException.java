package io.impflow.demo;

/** A demo step that failed: which step, what went wrong, and what the user can do about it. */
public final class DemoStepException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final DemoStep step;
  private final String remedy;

  /** A failure of {@code step} with the step's general remedy. */
  public DemoStepException(DemoStep step, String message, Throwable cause) {
    this(step, message, step.remedy(), cause);
  }

  /** A failure of {@code step} with a specific remedy. */
  public DemoStepException(DemoStep step, String message, String remedy, Throwable cause) {
    super(step.label() + " failed: " + message, cause);
    this.step = step;
    this.remedy = remedy;
  }

  /** The step that failed. */
  public DemoStep step() {
    return step;
  }

  /** What to do. */
  public String remedy() {
    return remedy;
  }
}
