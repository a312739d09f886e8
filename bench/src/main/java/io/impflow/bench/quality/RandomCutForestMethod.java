package io.impflow.bench.quality;

import com.amazon.randomcutforest.RandomCutForest;
import io.impflow.model.flow.Standardization;
import io.impflow.model.flow.ZeroVarianceFeatureException;
import io.impflow.trainer.data.RowPermutation;
import io.impflow.trainer.data.SplitProtocol;
import java.util.SplittableRandom;

/**
 * Amazon Random Cut Forest (randomcutforest-core) as a peer, on features standardized by the training part's mean
 * and scale (RCF picks cut dimensions in proportion to their ranges, so raw units would let one wide feature
 * dominate). Two modes: {@link Mode#BATCH} inserts the training rows and then scores the test rows without updating;
 * {@link Mode#STREAMING} scores every record before inserting it, through the training part (warm-up, scores
 * discarded) and then the test part. Rows arrive in a seeded random order in both modes, because the forest's
 * time-decayed sample would otherwise over-represent the end of the file.
 */
public final class RandomCutForestMethod implements DetectionMethod {

  /** Trees in the forest (the suite's setting). */
  public static final int TREES = 50;
  /** Points each tree samples (the suite's setting). */
  public static final int SAMPLE_SIZE = 256;

  /** How the forest sees the data. */
  public enum Mode {
    /** Fit on the training part, then score the test part with the forest frozen. */
    BATCH,
    /** Score-then-update over the training part and then the test part, as a stream processor would. */
    STREAMING
  }

  private final Mode mode;

  /** A peer in {@code mode}. */
  public RandomCutForestMethod(Mode mode) {
    this.mode = mode;
  }

  @Override
  public String name() {
    return mode == Mode.BATCH ? "RCF (fit, then score)" : "RCF (streaming)";
  }

  @Override
  public long parameterCount(int dimension) {
    return -1;
  }

  @Override
  public MethodRun run(SplitProtocol.Split split, long seed) throws MethodFailedException {
    Standardization standardization;
    try {
      standardization = Standardization.fit(split.train().rows());
    } catch (ZeroVarianceFeatureException e) {
      throw new MethodFailedException(name() + " on " + split.train().origin() + ": feature " + e.column()
          + " is constant in the training part; drop it", e);
    }
    double[][] train = PeerStandardization.apply(split.train().rows(), standardization);
    double[][] test = PeerStandardization.apply(split.test().rows(), standardization);
    SplittableRandom random = new SplittableRandom(seed);
    int[] trainOrder = RowPermutation.random(train.length, random);
    int[] testOrder = RowPermutation.random(test.length, random);

    Stopwatch fit = Stopwatch.start();
    RandomCutForest forest = newForest(train[0].length, seed);
    for (int i : trainOrder) {
      if (mode == Mode.STREAMING) {
        forest.getAnomalyScore(train[i]);
      }
      forest.update(train[i]);
    }
    Stopwatch.Elapsed fitTime = fit.elapsed();

    double[] scores = new double[test.length];
    Stopwatch.Elapsed scoreTime;
    if (mode == Mode.BATCH) {
      scoreTime = RepeatedTiming.perPass(() -> {
        for (int i : testOrder) {
          scores[i] = forest.getAnomalyScore(test[i]);
        }
      });
    } else {
      Stopwatch score = Stopwatch.start();
      for (int i : testOrder) {
        scores[i] = forest.getAnomalyScore(test[i]);
        forest.update(test[i]);
      }
      scoreTime = score.elapsed();
    }
    return new MethodRun(scores, 0, fitTime, scoreTime, train.length, "");
  }

  /** A single-threaded forest with the suite's settings and library defaults otherwise. */
  static RandomCutForest newForest(int dimension, long seed) {
    return RandomCutForest.builder()
        .dimensions(dimension)
        .numberOfTrees(TREES)
        .sampleSize(SAMPLE_SIZE)
        .randomSeed(seed)
        .parallelExecutionEnabled(false)
        .build();
  }
}
