package io.impflow.trainer.report;

import io.impflow.trainer.fit.EpochStats;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.statistics.HistogramDataset;
import org.jfree.data.statistics.HistogramType;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Writes the PNG charts of a training or evaluation report into one directory (headless, no display needed). */
public final class ReportWriter {

  private static final int WIDTH = 900;
  private static final int HEIGHT = 600;
  private static final Color NORMAL = new Color(0x1f, 0x77, 0xb4);
  private static final Color ANOMALY = new Color(0xd6, 0x27, 0x28);

  static {
    System.setProperty("java.awt.headless", "true");
  }

  private final Path directory;

  /** A writer into {@code directory}, created when missing. */
  public ReportWriter(Path directory) throws IOException {
    this.directory = Files.createDirectories(directory);
  }

  /** {@code training-curves.png}: training and validation NLL per epoch. */
  public Path trainingCurves(List<EpochStats> epochs, int bestEpoch) throws IOException {
    XYSeries train = new XYSeries("training NLL (batches)");
    XYSeries validation = new XYSeries("validation NLL (EMA weights)");
    for (EpochStats epoch : epochs) {
      train.add(epoch.epoch(), epoch.trainNll());
      validation.add(epoch.epoch(), epoch.validationNll());
    }
    XYSeriesCollection data = new XYSeriesCollection();
    data.addSeries(train);
    data.addSeries(validation);
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    renderer.setSeriesPaint(0, NORMAL);
    renderer.setSeriesPaint(1, new Color(0xff, 0x7f, 0x0e));
    renderer.setSeriesStroke(0, new BasicStroke(2f));
    renderer.setSeriesStroke(1, new BasicStroke(2f));
    NumberAxis x = new NumberAxis("epoch");
    x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    NumberAxis y = new NumberAxis("mean negative log-likelihood (nats, standardized space)");
    y.setAutoRangeIncludesZero(false);
    XYPlot plot = new XYPlot(data, x, y, renderer);
    if (bestEpoch > 0) {
      plot.addDomainMarker(marker(bestEpoch, "best epoch " + bestEpoch, Color.DARK_GRAY));
    }
    return save("training-curves.png", new JFreeChart("Training curves", titleFont(), plot, true));
  }

  /**
   * {@code score-histogram.png}: histograms of the score (−log-likelihood) of normal and anomalous rows, with the
   * calibrated threshold (none when NaN); without labels one histogram of all rows.
   */
  public Path scoreHistogram(double[] scores, int[] labels, double scoreThreshold) throws IOException {
    double[] finite = Arrays.stream(scores).filter(Double::isFinite).toArray();
    double lo = Arrays.stream(finite).min().orElse(0);
    double hi = Arrays.stream(finite).max().orElse(1);
    double cap = quantile(finite, 0.995);
    if (hi > cap && cap > lo) {
      hi = cap;
    }
    boolean hasThreshold = Double.isFinite(scoreThreshold);
    double lower = hasThreshold ? Math.min(lo, scoreThreshold) : lo;
    double upper = (hasThreshold ? Math.max(hi, scoreThreshold) : hi) + 1e-9;
    HistogramDataset data = new HistogramDataset();
    data.setType(HistogramType.SCALE_AREA_TO_1);
    int bins = 60;
    if (labels == null) {
      data.addSeries("all rows (" + finite.length + ")", clamp(finite, lower, upper), bins, lower, upper);
    } else {
      double[] normal = select(scores, labels, 0);
      double[] anomalous = select(scores, labels, 1);
      if (normal.length > 0) {
        data.addSeries("normal (" + normal.length + ")", clamp(normal, lower, upper), bins, lower, upper);
      }
      if (anomalous.length > 0) {
        data.addSeries("anomalous (" + anomalous.length + ")", clamp(anomalous, lower, upper), bins, lower, upper);
      }
    }
    XYBarRenderer renderer = new XYBarRenderer();
    renderer.setBarPainter(new StandardXYBarPainter());
    renderer.setShadowVisible(false);
    renderer.setSeriesPaint(0, withAlpha(NORMAL, 150));
    renderer.setSeriesPaint(1, withAlpha(ANOMALY, 150));
    NumberAxis x = new NumberAxis("score = −log-likelihood (nats; values beyond the 99.5 % quantile drawn at the edge)");
    x.setAutoRangeIncludesZero(false);
    NumberAxis y = new NumberAxis("density (each histogram has area 1)");
    XYPlot plot = new XYPlot(data, x, y, renderer);
    if (hasThreshold) {
      plot.addDomainMarker(marker(scoreThreshold, "threshold " + String.format("%.3g", scoreThreshold),
          Color.BLACK));
    }
    String title = labels == null ? "Scores of all rows" : "Scores of normal and anomalous rows";
    return save("score-histogram.png", new JFreeChart(title, titleFont(), plot, true));
  }

  /** {@code roc-curve.png}: the ROC curve of the scores against the labels, with the chance diagonal. */
  public Path rocCurve(double[] scores, int[] labels, double auroc) throws IOException {
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
    long positives = Arrays.stream(labels).filter(l -> l == 1).count();
    long negatives = labels.length - positives;
    XYSeries roc = new XYSeries("ROC (AUROC " + String.format("%.4f", auroc) + ")", false, true);
    roc.add(0, 0);
    long tp = 0;
    long fp = 0;
    int i = 0;
    while (i < order.length) {
      int j = i;
      while (j < order.length && scores[order[j]] == scores[order[i]]) {
        if (labels[order[j]] == 1) {
          tp++;
        } else {
          fp++;
        }
        j++;
      }
      roc.add((double) fp / negatives, (double) tp / positives);
      i = j;
    }
    XYSeries chance = new XYSeries("chance", false, true);
    chance.add(0, 0);
    chance.add(1, 1);
    XYSeriesCollection data = new XYSeriesCollection();
    data.addSeries(roc);
    data.addSeries(chance);
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
    renderer.setSeriesPaint(0, ANOMALY);
    renderer.setSeriesStroke(0, new BasicStroke(2.5f));
    renderer.setSeriesPaint(1, Color.GRAY);
    renderer.setSeriesStroke(1, new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
        new float[] {6f, 6f}, 0f));
    NumberAxis x = new NumberAxis("false positive rate");
    NumberAxis y = new NumberAxis("true positive rate (recall)");
    x.setRange(0, 1);
    y.setRange(0, 1.01);
    XYPlot plot = new XYPlot(data, x, y, renderer);
    return save("roc-curve.png", new JFreeChart("ROC curve", titleFont(), plot, true));
  }

  /**
   * {@code density-heatmap.png}: the model's log-density on a regular 2D grid with model samples on top.
   *
   * @param xs grid x coordinates (ascending)
   * @param ys grid y coordinates (ascending)
   * @param logDensity log-density at {@code (xs[i], ys[j])} in {@code logDensity[i][j]}
   * @param samples points drawn from the model (may be empty)
   */
  public Path densityHeatmap(List<String> featureNames, double[] xs, double[] ys, double[][] logDensity,
      double[][] samples) throws IOException {
    int n = xs.length * ys.length;
    double[][] xyz = new double[3][n];
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < xs.length; i++) {
      for (int j = 0; j < ys.length; j++) {
        max = Math.max(max, logDensity[i][j]);
      }
    }
    int k = 0;
    for (int i = 0; i < xs.length; i++) {
      for (int j = 0; j < ys.length; j++) {
        xyz[0][k] = xs[i];
        xyz[1][k] = ys[j];
        xyz[2][k] = Double.isFinite(logDensity[i][j]) ? Math.exp(logDensity[i][j] - max) : 0;
        k++;
      }
    }
    DefaultXYZDataset grid = new DefaultXYZDataset();
    grid.addSeries("density", xyz);
    XYBlockRenderer blocks = new XYBlockRenderer();
    blocks.setBlockWidth(xs.length > 1 ? xs[1] - xs[0] : 1);
    blocks.setBlockHeight(ys.length > 1 ? ys[1] - ys[0] : 1);
    PaintScale scale = new DensityPaintScale();
    blocks.setPaintScale(scale);
    blocks.setDefaultSeriesVisibleInLegend(false);
    NumberAxis x = new NumberAxis(featureNames.get(0));
    NumberAxis y = new NumberAxis(featureNames.get(1));
    x.setRange(xs[0], xs[xs.length - 1]);
    y.setRange(ys[0], ys[ys.length - 1]);
    XYPlot plot = new XYPlot(grid, x, y, blocks);
    XYSeries sampleSeries = new XYSeries("model samples (" + samples.length + ")", false, true);
    for (double[] sample : samples) {
      sampleSeries.add(sample[0], sample[1]);
    }
    XYLineAndShapeRenderer dots = new XYLineAndShapeRenderer(false, true);
    dots.setSeriesPaint(0, new Color(255, 255, 255, 170));
    dots.setSeriesShape(0, new java.awt.geom.Ellipse2D.Double(-1.5, -1.5, 3, 3));
    plot.setDataset(1, new XYSeriesCollection(sampleSeries));
    plot.setRenderer(1, dots);
    plot.setDatasetRenderingOrder(org.jfree.chart.plot.DatasetRenderingOrder.FORWARD);
    JFreeChart chart = new JFreeChart("Model density (relative) with samples", titleFont(), plot, true);
    NumberAxis legendAxis = new NumberAxis("p(x) / max p");
    PaintScaleLegend legend = new PaintScaleLegend(scale, legendAxis);
    legend.setPosition(RectangleEdge.RIGHT);
    legend.setMargin(4, 4, 40, 4);
    chart.addSubtitle(legend);
    return save("density-heatmap.png", chart);
  }

  /**
   * One health window of a model for {@link #healthTimeline}.
   *
   * @param seconds the window's end, in seconds from the start of the timeline
   * @param model the label of the model that scored the window (one line per model)
   * @param alertRate share of the window's records flagged
   * @param meanLogLikelihood mean log-likelihood of the window's records
   */
  public record HealthPoint(double seconds, String model, double alertRate, double meanLogLikelihood) {}

  /**
   * {@code model-health.png}: alert rate (with the target false-positive rate) and mean log-likelihood per health
   * window over time, one line per model, with a vertical marker per event (label to seconds).
   */
  public Path healthTimeline(List<HealthPoint> points, double targetFpr, java.util.Map<String, Double> events)
      throws IOException {
    java.util.Map<String, XYSeries> rates = new java.util.LinkedHashMap<>();
    java.util.Map<String, XYSeries> means = new java.util.LinkedHashMap<>();
    for (HealthPoint point : points) {
      rates.computeIfAbsent(point.model(), m -> new XYSeries("alert rate, " + m))
          .add(point.seconds(), point.alertRate());
      if (Double.isFinite(point.meanLogLikelihood())) {
        means.computeIfAbsent(point.model(), m -> new XYSeries("mean log-likelihood, " + m))
            .add(point.seconds(), point.meanLogLikelihood());
      }
    }
    NumberAxis time = new NumberAxis("seconds (end of each health window)");
    org.jfree.chart.plot.CombinedDomainXYPlot combined = new org.jfree.chart.plot.CombinedDomainXYPlot(time);
    NumberAxis rateAxis = new NumberAxis("alert rate");
    XYPlot ratePlot = new XYPlot(collection(rates), null, rateAxis, lines(rates.size()));
    ValueMarker target = marker(targetFpr, "target " + targetFpr, Color.DARK_GRAY);
    target.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.TOP_RIGHT);
    ratePlot.addRangeMarker(target);
    NumberAxis llAxis = new NumberAxis("mean log-likelihood (nats)");
    llAxis.setAutoRangeIncludesZero(false);
    XYPlot llPlot = new XYPlot(collection(means), null, llAxis, lines(means.size()));
    events.forEach((label, seconds) -> {
      ratePlot.addDomainMarker(marker(seconds, label, ANOMALY));
      llPlot.addDomainMarker(marker(seconds, "", ANOMALY));
    });
    combined.add(ratePlot, 1);
    combined.add(llPlot, 1);
    return save("model-health.png",
        new JFreeChart("Model health per window: alert rate and mean log-likelihood", titleFont(), combined, true));
  }

  private static XYSeriesCollection collection(java.util.Map<String, XYSeries> series) {
    XYSeriesCollection data = new XYSeriesCollection();
    series.values().forEach(data::addSeries);
    return data;
  }

  private static XYLineAndShapeRenderer lines(int count) {
    Color[] colors = {NORMAL, new Color(0x2c, 0xa0, 0x2c), new Color(0xff, 0x7f, 0x0e), new Color(0x94, 0x67, 0xbd)};
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < count; i++) {
      renderer.setSeriesPaint(i, colors[i % colors.length]);
      renderer.setSeriesStroke(i, new BasicStroke(2f));
    }
    return renderer;
  }

  private Path save(String name, JFreeChart chart) throws IOException {
    chart.setBackgroundPaint(Color.WHITE);
    Path file = directory.resolve(name);
    ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    return file;
  }

  private static ValueMarker marker(double value, String label, Color color) {
    ValueMarker marker = new ValueMarker(value, color, new BasicStroke(1.5f, BasicStroke.CAP_BUTT,
        BasicStroke.JOIN_MITER, 10f, new float[] {5f, 4f}, 0f));
    marker.setLabel(label);
    marker.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    marker.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.TOP_LEFT);
    marker.setLabelTextAnchor(org.jfree.chart.ui.TextAnchor.TOP_RIGHT);
    return marker;
  }

  private static Font titleFont() {
    return new Font(Font.SANS_SERIF, Font.BOLD, 16);
  }

  private static Color withAlpha(Color color, int alpha) {
    return new Color(color.getRed(), color.getGreen(), color.getBlue(), alpha);
  }

  private static double[] select(double[] scores, int[] labels, int label) {
    return java.util.stream.IntStream.range(0, scores.length)
        .filter(i -> labels[i] == label && Double.isFinite(scores[i]))
        .mapToDouble(i -> scores[i])
        .toArray();
  }

  private static double[] clamp(double[] values, double lower, double upper) {
    return Arrays.stream(values).map(v -> Math.max(lower, Math.min(upper - 1e-9, v))).toArray();
  }

  private static double quantile(double[] values, double q) {
    if (values.length == 0) {
      return 0;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[Math.min(sorted.length - 1, (int) Math.floor(q * (sorted.length - 1)))];
  }

  /** A perceptual dark-blue → yellow scale on [0, 1] (viridis-like, computed, not a copied table). */
  private static final class DensityPaintScale implements PaintScale {
    @Override
    public double getLowerBound() {
      return 0;
    }

    @Override
    public double getUpperBound() {
      return 1;
    }

    @Override
    public java.awt.Paint getPaint(double value) {
      float t = (float) Math.max(0, Math.min(1, value));
      float hue = 0.72f - 0.56f * t;
      float brightness = 0.25f + 0.75f * t;
      return Color.getHSBColor(hue, 0.85f, brightness);
    }
  }
}
