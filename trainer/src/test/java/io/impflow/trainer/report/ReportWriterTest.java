package io.impflow.trainer.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.impflow.trainer.fit.EpochStats;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {

  @TempDir Path dir;

  private static BufferedImage read(Path png) throws IOException {
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image).isNotNull();
    return image;
  }

  @Test
  void writesReadablePngCharts() throws IOException {
    ReportWriter writer = new ReportWriter(dir.resolve("report"));
    double[] scores = {1, 2, 2, 3, 8, 9, Double.POSITIVE_INFINITY};
    int[] labels = {0, 0, 1, 0, 1, 1, 1};
    Path roc = writer.rocCurve(scores, labels, 0.9);
    Path histogram = writer.scoreHistogram(scores, labels, 5.0);
    Path curves = writer.trainingCurves(List.of(new EpochStats(1, 3.0, 2.9, 1.0),
        new EpochStats(2, 2.5, 2.6, 2.0)), 2);
    for (Path png : List.of(roc, histogram, curves)) {
      BufferedImage image = read(png);
      assertThat(image.getWidth()).isEqualTo(900);
      assertThat(image.getHeight()).isEqualTo(600);
    }
    assertThat(roc.getFileName().toString()).isEqualTo("roc-curve.png");
  }

  @Test
  void writesTheDensityHeatMap() throws IOException {
    double[] xs = {0, 1, 2};
    double[] ys = {0, 1, 2};
    double[][] logDensity = {{-5, -5, -5}, {-5, 0, -5}, {-5, -5, -5}};
    Path png = new ReportWriter(dir).densityHeatmap(List.of("u", "v"), xs, ys, logDensity, new double[0][]);
    assertThat(read(png).getWidth()).isEqualTo(900);
  }

  @Test
  void writesTheHealthTimelineSkippingWindowsWithoutAFiniteMean() throws IOException {
    Path png = new ReportWriter(dir).healthTimeline(List.of(
        new ReportWriter.HealthPoint(2, "old", 0.01, -12.0),
        new ReportWriter.HealthPoint(4, "old", 0.09, Double.NaN),
        new ReportWriter.HealthPoint(6, "new", 0.012, -11.5)), 0.01, java.util.Map.of("swap", 5.0));
    assertThat(png.getFileName().toString()).isEqualTo("model-health.png");
    assertThat(read(png).getHeight()).isEqualTo(600);
  }
}
