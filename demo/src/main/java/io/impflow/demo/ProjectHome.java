package io.impflow.demo;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The repository root the demo reads its data from and keeps its cache, logs and reports in: the system property
 * {@value #PROPERTY} (set by the {@code ./impflow} launcher), else the nearest directory at or above the working
 * directory that holds {@value #DATASET}.
 */
public final class ProjectHome {
  /** The system property the launcher sets to the repository root. */
  public static final String PROPERTY = "impflow.home";
  /** The bundled data set the demo replays, relative to the root. */
  public static final String DATASET = "datasets/shuttle.csv";

  private ProjectHome() {}

  /**
   * Finds the repository root.
   *
   * @throws DemoStepException (step 3) when neither the property nor the working directory leads to the data set
   */
  public static Path resolve() {
    String configured = System.getProperty(PROPERTY);
    if (configured != null && !configured.isBlank()) {
      Path home = Path.of(configured).toAbsolutePath().normalize();
      if (!Files.isRegularFile(home.resolve(DATASET))) {
        throw new DemoStepException(DemoStep.MODEL, "-D" + PROPERTY + "=" + home + " has no " + DATASET,
            "run the demo through ./impflow from a complete clone of the repository", null);
      }
      return home;
    }
    Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath().normalize();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve(DATASET))) {
        return dir;
      }
    }
    throw new DemoStepException(DemoStep.MODEL, "no " + DATASET + " in " + start + " or any directory above it",
        "run the demo through ./impflow from the repository, or pass -D" + PROPERTY + "=<repository root>", null);
  }
}
