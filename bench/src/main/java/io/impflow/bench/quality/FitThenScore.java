package io.impflow.bench.quality;

import io.impflow.trainer.data.SplitProtocol;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The run of a peer that fits once on the training part and then scores the test part without changing: fitting is
 * timed once, scoring as a repeated side-effect-free pass ({@link RepeatedTiming}), and an
 * {@link IllegalArgumentException} from fitting becomes a {@link MethodFailedException} naming the method and part.
 */
final class FitThenScore {

  /**
   * What fitting produced.
   *
   * @param testScores scores every test row (higher = more anomalous); called more than once, so it must not
   *     change any state
   * @param note a short remark for the tables, or an empty string
   */
  record Fitted(Supplier<double[]> testScores, String note) {}

  private FitThenScore() {}

  /**
   * Fits with {@code fit} on {@code split}, then times its test scoring.
   *
   * @param method the method's table name, for the failure message
   * @param split the train/test split
   * @param fit fits on {@code split.train()}; may throw {@link IllegalArgumentException} for data it cannot fit
   */
  static MethodRun run(String method, SplitProtocol.Split split, Function<SplitProtocol.Split, Fitted> fit)
      throws MethodFailedException {
    Stopwatch stopwatch = Stopwatch.start();
    Fitted fitted;
    try {
      fitted = fit.apply(split);
    } catch (IllegalArgumentException e) {
      throw new MethodFailedException(method + " on " + split.train().origin() + ": " + e.getMessage(), e);
    }
    Stopwatch.Elapsed fitTime = stopwatch.elapsed();
    double[] scores = new double[split.test().size()];
    Stopwatch.Elapsed scoreTime = RepeatedTiming.perPass(
        () -> System.arraycopy(fitted.testScores().get(), 0, scores, 0, scores.length));
    return new MethodRun(scores, 0, fitTime, scoreTime, split.train().size(), fitted.note());
  }
}
