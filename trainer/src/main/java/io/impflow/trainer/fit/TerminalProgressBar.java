package io.impflow.trainer.fit;

import java.io.PrintStream;
import java.util.Locale;

/** A one-line progress bar redrawn in place, with ETA and the live training and validation NLL. */
final class TerminalProgressBar implements TrainingProgress {

  private static final int WIDTH = 30;

  private final PrintStream out;
  private final long startNanos = System.nanoTime();
  private long lastDrawNanos;
  private double lastValidationNll = Double.NaN;

  TerminalProgressBar(PrintStream out) {
    this.out = out;
  }

  @Override
  public void onStep(int epoch, int epochs, int step, int stepsPerEpoch, double runningTrainNll) {
    long now = System.nanoTime();
    if (now - lastDrawNanos < 100_000_000L && step < stepsPerEpoch) {
      return;
    }
    lastDrawNanos = now;
    double done = ((epoch - 1) + (double) step / stepsPerEpoch) / epochs;
    double elapsed = (now - startNanos) / 1e9;
    double eta = done > 0 ? elapsed * (1 - done) / done : Double.NaN;
    int filled = (int) Math.round(done * WIDTH);
    String bar = "#".repeat(filled) + "-".repeat(WIDTH - filled);
    out.print(String.format(Locale.ROOT, "\r[%s] %3.0f%% epoch %d/%d  train NLL %.4f  val NLL %s  %s elapsed  ETA %s ",
        bar, 100 * done, epoch, epochs, runningTrainNll,
        Double.isNaN(lastValidationNll) ? "-" : String.format(Locale.ROOT, "%.4f", lastValidationNll),
        PlainProgressLog.duration(elapsed), Double.isNaN(eta) ? "?" : PlainProgressLog.duration(eta)));
    out.flush();
  }

  @Override
  public void onEpoch(EpochStats stats, int epochs, boolean best) {
    lastValidationNll = stats.validationNll();
    out.print("\r");
    out.println(PlainProgressLog.epochLine(stats, epochs, best) + " ".repeat(20));
    out.flush();
  }
}
