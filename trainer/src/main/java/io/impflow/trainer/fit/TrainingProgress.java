package io.impflow.trainer.fit;

/** Receives training progress: a live bar on a terminal, periodic log lines otherwise. */
public interface TrainingProgress {

  /** After each optimizer step; {@code runningTrainNll} is the epoch's mean batch NLL so far. */
  void onStep(int epoch, int epochs, int step, int stepsPerEpoch, double runningTrainNll);

  /** After each epoch's validation; {@code best} tells whether it improved the best validation NLL. */
  void onEpoch(EpochStats stats, int epochs, boolean best);

  /** A sink that reports nothing (for the extra fits of cross-fitted calibration). */
  static TrainingProgress silent() {
    return new TrainingProgress() {
      @Override
      public void onStep(int epoch, int epochs, int step, int stepsPerEpoch, double runningTrainNll) {}

      @Override
      public void onEpoch(EpochStats stats, int epochs, boolean best) {}
    };
  }

  /** The progress sink for this process: a bar when a console is attached, plain lines otherwise. */
  static TrainingProgress forConsole() {
    return System.console() != null ? new TerminalProgressBar(System.err) : new PlainProgressLog(30);
  }
}
