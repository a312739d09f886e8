package io.impflow.job.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The shaded job jar that this module's package phase wrote, as a user would submit it to a cluster. */
final class JobJar {
  private JobJar() {}

  static Path shaded() throws Exception {
    Path target = Path.of(System.getProperty("basedir", "."), "target");
    try (Stream<Path> files = Files.list(target)) {
      return files.filter(f -> f.getFileName().toString().matches("impflow-flink-job-.*-job\\.jar"))
          .max(Comparator.comparing(f -> f.toFile().lastModified()))
          .orElseThrow(() -> new IllegalStateException("No shaded job jar impflow-flink-job-*-job.jar in " + target
              + "; run this test with ./mvnw -pl flink-job verify, which builds it in the package phase"));
    }
  }
}
