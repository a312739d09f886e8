package io.impflow.trainer.fit;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Progress as log lines: one per epoch, and one every few seconds within long epochs. */
final class PlainProgressLog implements TrainingProgress {

  private static final Logger LOG = LoggerFactory.getLogger(PlainProgressLog.class);

  private final long intervalNanos;
  private final long startNanos = System.nanoTime();
  private long lastLineNanos = System.nanoTime();

  PlainProgressLog(int intervalSeconds) {
    this.intervalNanos = intervalSeconds * 1_000_000_000L;
  }

  @Override
  public void onStep(int epoch, int epochs, int step, int stepsPerEpoch, double runningTrainNll) {
    long now = System.nanoTime();
    if (now - lastLineNanos < intervalNanos) {
      return;
    }
    lastLineNanos = now;
    double done = ((epoch - 1) + (double) step / stepsPerEpoch) / epochs;
    double elapsed = (now - startNanos) / 1e9;
    LOG.info(String.format(Locale.ROOT, "epoch %d/%d step %d/%d  train NLL %.4f  %.0f%% done, ETA %s", epoch, epochs,
        step, stepsPerEpoch, runningTrainNll, 100 * done, duration(elapsed * (1 - done) / Math.max(done, 1e-9))));
  }

  @Override
  public void onEpoch(EpochStats stats, int epochs, boolean best) {
    lastLineNanos = System.nanoTime();
    LOG.info(epochLine(stats, epochs, best));
  }

  static String epochLine(EpochStats stats, int epochs, boolean best) {
    return String.format(Locale.ROOT, "epoch %d/%d  train NLL %.4f  val NLL %.4f%s  (%s)", stats.epoch(), epochs,
        stats.trainNll(), stats.validationNll(), best ? " *best*" : "", duration(stats.elapsedSeconds()));
  }

  static String duration(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60)
        : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
  }
}
