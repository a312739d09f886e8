package io.impflow.bench.quality;

import io.impflow.trainer.data.SplitProtocol;

/**
 * The k-nearest-neighbour distance peer: a test row's score is its mean Euclidean distance to the {@value #K}
 * nearest training rows, found exactly by brute force in float64 on features scaled by
 * {@link PeerStandardization}. Nothing is fitted beyond the scaling; the search is the scoring cost.
 */
public final class KnnDistanceMethod implements DetectionMethod {

  /** Neighbours per test row (the suite's setting). */
  public static final int K = 5;

  @Override
  public String name() {
    return "k-NN (k=" + K + ")";
  }

  @Override
  public long parameterCount(int dimension) {
    return -1;
  }

  @Override
  public MethodRun run(SplitProtocol.Split split, long seed) throws MethodFailedException {
    return FitThenScore.run(name(), split, s -> {
      PeerStandardization.ScaledSplit scaled = PeerStandardization.ScaledSplit.of(s);
      NearestNeighbours training = new NearestNeighbours(scaled.train());
      int k = Math.min(K, training.size());
      return new FitThenScore.Fitted(() -> {
        NearestNeighbours.Neighbours neighbours = training.search(scaled.test(), k);
        double[] scores = new double[neighbours.queries()];
        for (int i = 0; i < scores.length; i++) {
          scores[i] = neighbours.meanDistance(i);
        }
        return scores;
      }, k < K ? "k = " + k : "");
    });
  }
}
