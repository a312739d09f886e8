package io.impflow.trainer.data;

import java.util.Locale;
import java.util.Random;

/**
 * The standard 2D toy densities of the normalizing-flow literature (as used by FFJORD and the ImpFlow paper), each
 * a sampler of {@code n} points from a seeded generator.
 */
public enum ToyDistribution {
  /** A 4×4 checkerboard on [-4, 4]², uniform on the 8 dark squares (entropy log 32). */
  CHECKERBOARD {
    @Override
    double[] draw(Random random, int index, int n) {
      double x = random.nextDouble() * 4 - 2;
      double y = random.nextDouble() - 2 * random.nextInt(2) + Math.floorMod((long) Math.floor(x), 2);
      return new double[] {2 * x, 2 * y};
    }
  },
  /** Eight isotropic Gaussians (sd 0.5/√2) on a circle of radius 4/√2. */
  EIGHT_GAUSSIANS {
    @Override
    double[] draw(Random random, int index, int n) {
      int k = random.nextInt(8);
      double angle = k * Math.PI / 4;
      double cx = 4 * Math.cos(angle);
      double cy = 4 * Math.sin(angle);
      return new double[] {
        (cx + 0.5 * random.nextGaussian()) / Math.sqrt(2), (cy + 0.5 * random.nextGaussian()) / Math.sqrt(2)
      };
    }
  },
  /** Two interleaved Archimedean spirals with a little noise. */
  TWO_SPIRALS {
    @Override
    double[] draw(Random random, int index, int n) {
      double t = Math.sqrt(random.nextDouble()) * 3 * Math.PI;
      double x = -Math.cos(t) * t + 0.5 * random.nextDouble();
      double y = Math.sin(t) * t + 0.5 * random.nextDouble();
      double sign = random.nextBoolean() ? 1 : -1;
      return new double[] {sign * x / 3 + 0.1 * random.nextGaussian(), sign * y / 3 + 0.1 * random.nextGaussian()};
    }
  },
  /** Four concentric rings of radii 0.75, 1.5, 2.25 and 3. */
  RINGS {
    @Override
    double[] draw(Random random, int index, int n) {
      double radius = 0.75 * (1 + random.nextInt(4));
      double angle = 2 * Math.PI * random.nextDouble();
      return new double[] {
        radius * Math.cos(angle) + 0.08 * random.nextGaussian(), radius * Math.sin(angle) + 0.08 * random.nextGaussian()
      };
    }
  },
  /** Two interleaving half circles ("moons"), scaled by 2 and centred. */
  MOONS {
    @Override
    double[] draw(Random random, int index, int n) {
      double t = Math.PI * random.nextDouble();
      boolean outer = random.nextBoolean();
      double x = outer ? Math.cos(t) : 1 - Math.cos(t);
      double y = outer ? Math.sin(t) : 0.5 - Math.sin(t);
      return new double[] {
        2 * (x + 0.1 * random.nextGaussian()) - 1, 2 * (y + 0.1 * random.nextGaussian()) - 0.2
      };
    }
  },
  /** Five curved arms of a pinwheel. */
  PINWHEEL {
    @Override
    double[] draw(Random random, int index, int n) {
      int arm = random.nextInt(5);
      double radial = 1 + 0.3 * random.nextGaussian();
      double tangential = 0.1 * random.nextGaussian();
      double angle = 2 * Math.PI * arm / 5 + 0.25 * Math.exp(radial);
      double c = Math.cos(angle);
      double s = Math.sin(angle);
      return new double[] {2 * (radial * c - tangential * s), 2 * (radial * s + tangential * c)};
    }
  };

  /** One point; {@code index} of {@code n} for generators that need it. */
  abstract double[] draw(Random random, int index, int n);

  /** {@code n} points drawn with {@code seed}. */
  public double[][] sample(int n, long seed) {
    Random random = new Random(seed);
    double[][] points = new double[n][];
    for (int i = 0; i < n; i++) {
      points[i] = draw(random, i, n);
    }
    return points;
  }

  /** The name used after {@code toy:} (lower case, e.g. {@code 8gaussians}). */
  public String cliName() {
    return switch (this) {
      case EIGHT_GAUSSIANS -> "8gaussians";
      case TWO_SPIRALS -> "2spirals";
      default -> name().toLowerCase(Locale.ROOT);
    };
  }

  /** The distribution called {@code name} on the command line, or {@code null}. */
  public static ToyDistribution byCliName(String name) {
    for (ToyDistribution toy : values()) {
      if (toy.cliName().equals(name)) {
        return toy;
      }
    }
    return null;
  }
}
