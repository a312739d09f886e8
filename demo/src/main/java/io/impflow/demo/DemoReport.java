package io.impflow.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.impflow.trainer.report.ReportWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a run's report: the trainer's charts (score histogram with the threshold, ROC curve, training curves when
 * the model was trained in this run), {@code summary.json} and an {@code index.html} that shows them together.
 */
final class DemoReport {
  private DemoReport() {}

  /** Writes the report into {@code directory} and returns the files written. */
  static List<Path> write(Path directory, DemoSummary summary, DemoSummary.Scores scores, DriftSummary drift)
      throws IOException {
    ReportWriter writer = new ReportWriter(directory);
    List<Path> files = new ArrayList<>();
    double[] anomalyScores = scores.anomalyScores();
    files.add(writer.scoreHistogram(anomalyScores, scores.labels(), -summary.thresholdLogLikelihood()));
    Double auroc = summary.detection().auroc();
    if (auroc != null) {
      files.add(writer.rocCurve(anomalyScores, scores.labels(), auroc));
    }
    if (!summary.model().history().isEmpty()) {
      files.add(writer.trainingCurves(summary.model().history(), summary.model().bestEpoch()));
    }
    Map<String, Object> json = new LinkedHashMap<>(summary.toMap());
    if (drift != null) {
      files.add(writer.healthTimeline(drift.points(), drift.targetFpr(), drift.events()));
      json.put("drift", drift.toMap());
    }
    Path jsonFile = directory.resolve("summary.json");
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(jsonFile.toFile(), json);
    files.add(jsonFile);
    Path html = directory.resolve("index.html");
    Files.writeString(html, html(summary, drift, directory, files), StandardCharsets.UTF_8);
    files.add(html);
    return files;
  }

  private static String html(DemoSummary summary, DriftSummary drift, Path directory, List<Path> files) {
    StringBuilder page = new StringBuilder("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
        + "<title>impflow demo report</title></head>\n<body style=\"font-family:sans-serif;max-width:960px\">\n"
        + "<h1>impflow demo</h1>\n<pre>" + escape(summary.format(directory)
        + (drift == null ? "" : drift.format() + drift.rateLines())) + "</pre>\n");
    for (Path file : files) {
      String name = file.getFileName().toString();
      if (name.endsWith(".png")) {
        page.append("<p><img src=\"").append(name).append("\" alt=\"").append(name).append("\" width=\"900\"></p>\n");
      }
    }
    return page.append("<p><a href=\"summary.json\">summary.json</a></p>\n</body></html>\n").toString();
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
