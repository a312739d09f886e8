package io.impflow.trainer.data;

import java.util.Arrays;
import java.util.List;

/** Built-in 2D toy data {@code toy:NAME}, sized and seeded by the read options. */
public final class ToyDataSource implements DataSource {

  /** The prefix of toy data specs. */
  public static final String PREFIX = "toy:";

  private final ToyDistribution distribution;
  private final int rows;
  private final long seed;

  /** {@code rows} points of {@code distribution} drawn with {@code seed}. */
  public ToyDataSource(ToyDistribution distribution, int rows, long seed) {
    this.distribution = distribution;
    this.rows = rows;
    this.seed = seed;
  }

  static ToyDataSource parse(String spec, DataReadOptions options) throws DataSourceException {
    String name = spec.substring(PREFIX.length());
    ToyDistribution distribution = ToyDistribution.byCliName(name);
    if (distribution == null) {
      throw new DataSourceException("unknown toy data '" + name + "' in --data " + spec + "; choose one of "
          + Arrays.stream(ToyDistribution.values()).map(ToyDistribution::cliName).toList());
    }
    return new ToyDataSource(distribution, options.toyRows(), options.toySeed());
  }

  @Override
  public Dataset read() {
    return new Dataset(List.of("x0", "x1"), distribution.sample(rows, seed), null,
        PREFIX + distribution.cliName() + " (" + rows + " rows, seed " + seed + ")");
  }
}
