package io.impflow.bench.quality;

import io.impflow.trainer.data.Dataset;
import io.impflow.trainer.data.SplitProtocol;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * Renders suite results as markdown: AUROC and AUPRC summaries (mean ± sd over seeds), a per-dataset table with
 * costs, and the cases where ImpFlow ranks below a peer with the facts that explain a gap.
 */
public final class QualityReport {

  /** The method every gap is measured from. */
  public static final String SUBJECT = "ImpFlow";

  private final List<RunRecord> records;
  private final Map<String, Dataset> datasets;
  private final List<String> methods;

  /**
   * A report.
   *
   * @param records every run of the suite
   * @param datasets the full datasets by name (table order), for their sizes
   */
  public QualityReport(List<RunRecord> records, Map<String, Dataset> datasets) {
    this.records = List.copyOf(records);
    this.datasets = datasets;
    this.methods = records.stream().map(RunRecord::method).distinct().toList();
  }

  /** Mean and sample standard deviation of one metric over the seeds of a (dataset, protocol, method) cell. */
  record Summary(double mean, double sd, int n) {
    static Summary of(List<Double> values) {
      double mean = values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
      double ss = values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum();
      return new Summary(mean, values.size() > 1 ? Math.sqrt(ss / (values.size() - 1)) : 0, values.size());
    }

    String format() {
      return n == 0 ? "–" : String.format(Locale.ROOT, "%.3f ± %.3f", mean, sd);
    }
  }

  Summary summary(String dataset, SplitProtocol protocol, String method, ToDoubleFunction<RunRecord> metric) {
    return Summary.of(cell(dataset, protocol, method).stream().map(metric::applyAsDouble).toList());
  }

  private List<RunRecord> cell(String dataset, SplitProtocol protocol, String method) {
    return records.stream().filter(r -> r.dataset().equals(dataset) && r.protocol() == protocol
        && r.method().equals(method)).toList();
  }

  private List<SplitProtocol> protocols() {
    return records.stream().map(RunRecord::protocol).distinct().toList();
  }

  private List<Long> seeds() {
    return records.stream().map(RunRecord::seed).distinct().toList();
  }

  /** The markdown of the generated quality section. */
  public String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("Seeds ").append(seeds().stream().map(String::valueOf).collect(Collectors.joining(", ")))
        .append("; every method sees the identical split of each (dataset, protocol, seed). Cells are mean ± sd over"
            + " the seeds; the best mean per row is in bold.");
    List<String> incomplete = new ArrayList<>();
    for (String dataset : datasets.keySet()) {
      for (SplitProtocol protocol : protocols()) {
        for (String method : methods) {
          int n = cell(dataset, protocol, method).size();
          if (n < seeds().size()) {
            incomplete.add(String.format(Locale.ROOT, "%s %s %s: %d", dataset, protocol.cliName(), method, n));
          }
        }
      }
    }
    if (!incomplete.isEmpty()) {
      md.append(" **Not every cell has every seed** (the run hit its time limit); seeds per incomplete cell: ")
          .append(String.join("; ", incomplete)).append('.');
    }
    md.append("\n\n");
    metricTable(md, "AUROC", RunRecord::auroc);
    metricTable(md, "AUPRC", RunRecord::auprc);
    for (String dataset : datasets.keySet()) {
      datasetTable(md, dataset);
    }
    gapTable(md);
    versusBaseline(md);
    return md.toString();
  }

  /** The paper's claim on this data: ImpFlow against ResFlow at the same parameter count, case by case. */
  private void versusBaseline(StringBuilder md) {
    String baseline = "ResFlow";
    if (!methods.contains(SUBJECT) || !methods.contains(baseline)) {
      return;
    }
    List<String> higher = new ArrayList<>();
    List<String> lower = new ArrayList<>();
    for (String dataset : datasets.keySet()) {
      for (SplitProtocol protocol : protocols()) {
        double delta = summary(dataset, protocol, SUBJECT, RunRecord::auroc).mean()
            - summary(dataset, protocol, baseline, RunRecord::auroc).mean();
        String item = String.format(Locale.ROOT, "%s %s (%+.4f)", dataset, protocol.cliName(), delta);
        (delta > 0 ? higher : lower).add(item);
      }
    }
    md.append("### ImpFlow against ResFlow at the same parameter count (difference of mean AUROC)\n\n");
    md.append("ImpFlow higher: ").append(higher.isEmpty() ? "none" : String.join(", ", higher)).append(".  \n");
    md.append("ImpFlow equal or lower: ").append(lower.isEmpty() ? "none" : String.join(", ", lower)).append(".\n\n");
  }

  private void metricTable(StringBuilder md, String metric, ToDoubleFunction<RunRecord> value) {
    md.append("### ").append(metric).append(" (score = −log p for the densities, the anomaly score for the forests,"
        + " mean neighbour distance for k-NN, the local outlier factor for LOF)\n\n");
    md.append("| dataset | protocol | ").append(String.join(" | ", methods)).append(" |\n");
    md.append("|---|---|").append("---:|".repeat(methods.size())).append('\n');
    for (String dataset : datasets.keySet()) {
      for (SplitProtocol protocol : protocols()) {
        List<Summary> row = methods.stream().map(m -> summary(dataset, protocol, m, value)).toList();
        double best = row.stream().mapToDouble(Summary::mean).filter(Double::isFinite).max().orElse(Double.NaN);
        md.append("| ").append(dataset).append(" | ").append(protocol.cliName()).append(" |");
        for (Summary s : row) {
          String cell = s.format();
          md.append(' ').append(s.mean() == best ? "**" + cell + "**" : cell).append(" |");
        }
        md.append('\n');
      }
    }
    // every (dataset, protocol) row weighs the same: the mean a user would see across these tasks
    double[] means = new double[methods.size()];
    for (int m = 0; m < methods.size(); m++) {
      double sum = 0;
      int count = 0;
      for (String dataset : datasets.keySet()) {
        for (SplitProtocol protocol : protocols()) {
          double v = summary(dataset, protocol, methods.get(m), value).mean();
          if (Double.isFinite(v)) {
            sum += v;
            count++;
          }
        }
      }
      means[m] = count == 0 ? Double.NaN : sum / count;
    }
    double bestMean = java.util.Arrays.stream(means).filter(Double::isFinite).max().orElse(Double.NaN);
    md.append("| **mean of the rows** | |");
    for (double v : means) {
      String cell = String.format(Locale.ROOT, "%.4f", v);
      md.append(' ').append(v == bestMean ? "**" + cell + "**" : cell).append(" |");
    }
    md.append("\n\n");
  }

  private void datasetTable(StringBuilder md, String name) {
    Dataset data = datasets.get(name);
    md.append(String.format(Locale.ROOT, "### %s (%,d rows × %d features, %,d outliers = %.1f %%)%n%n", name,
        data.size(), data.dimension(), data.anomalyCount(), 100.0 * data.anomalyCount() / data.size()));
    md.append("| protocol | method | params | fit rows | AUROC | AUPRC | fit wall s | fit CPU s | scoring rows/s"
        + " (wall) | scoring rows/CPU-s | notes |\n");
    md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (SplitProtocol protocol : protocols()) {
      for (String method : methods) {
        List<RunRecord> cell = cell(name, protocol, method);
        if (cell.isEmpty()) {
          continue;
        }
        long params = cell.get(0).parameters();
        int unscored = cell.stream().mapToInt(RunRecord::unscored).sum();
        List<String> notes = new ArrayList<>(new LinkedHashSet<>(cell.stream().map(RunRecord::note)
            .filter(n -> !n.isEmpty()).toList()));
        if (unscored > 0) {
          notes.add(unscored + " test rows not converged (scored +∞)");
        }
        md.append(String.format(Locale.ROOT, "| %s | %s | %s | %,d | %s | %s | %.2f | %.2f | %,.0f | %,.0f | %s |%n",
            protocol.cliName(), method, params < 0 ? "–" : String.format(Locale.ROOT, "%,d", params),
            Math.round(cell.stream().mapToInt(RunRecord::fitRows).average().orElse(0)),
            summary(name, protocol, method, RunRecord::auroc).format(),
            summary(name, protocol, method, RunRecord::auprc).format(),
            cell.stream().mapToDouble(r -> r.fitTime().wallSeconds()).average().orElse(Double.NaN),
            cell.stream().mapToDouble(r -> r.fitTime().cpuSeconds()).average().orElse(Double.NaN),
            cell.stream().mapToDouble(RunRecord::scoringRowsPerSecond).average().orElse(Double.NaN),
            cell.stream().mapToDouble(RunRecord::scoringRowsPerCpuSecond).average().orElse(Double.NaN),
            String.join("; ", notes)));
      }
    }
    md.append('\n');
  }

  /** The cases where ImpFlow's mean AUROC is below the best peer's, with the facts an explanation needs. */
  public List<Gap> gaps() {
    List<Gap> gaps = new ArrayList<>();
    if (!methods.contains(SUBJECT)) {
      return gaps;
    }
    for (String dataset : datasets.keySet()) {
      for (SplitProtocol protocol : protocols()) {
        double subject = summary(dataset, protocol, SUBJECT, RunRecord::auroc).mean();
        String bestPeer = null;
        double bestPeerAuroc = Double.NEGATIVE_INFINITY;
        for (String method : methods) {
          double auroc = summary(dataset, protocol, method, RunRecord::auroc).mean();
          if (!method.equals(SUBJECT) && auroc > bestPeerAuroc) {
            bestPeer = method;
            bestPeerAuroc = auroc;
          }
        }
        if (bestPeer != null && bestPeerAuroc > subject) {
          List<RunRecord> cell = cell(dataset, protocol, SUBJECT);
          double fitRows = cell.stream().mapToInt(RunRecord::fitRows).average().orElse(0);
          double trainOutliers = cell.stream().mapToDouble(RunRecord::trainOutlierShare).average().orElse(0);
          gaps.add(new Gap(dataset, protocol, subject, bestPeer, bestPeerAuroc, datasets.get(dataset).dimension(),
              (int) Math.round(fitRows), trainOutliers, cell.get(0).parameters()));
        }
      }
    }
    return gaps;
  }

  /**
   * ImpFlow behind a peer on one dataset and protocol.
   *
   * @param dataset dataset name
   * @param protocol clean or contaminated
   * @param subjectAuroc ImpFlow's mean AUROC
   * @param peer the best peer's name
   * @param peerAuroc the best peer's mean AUROC
   * @param dimension number of features
   * @param fitRows rows ImpFlow was fitted on (mean over seeds)
   * @param trainOutlierShare share of outliers in the training part
   * @param parameters ImpFlow's parameter count
   */
  public record Gap(String dataset, SplitProtocol protocol, double subjectAuroc, String peer, double peerAuroc,
      int dimension, int fitRows, double trainOutlierShare, long parameters) {}

  private void gapTable(StringBuilder md) {
    List<Gap> gaps = gaps();
    md.append("### Where ImpFlow is behind the best peer (mean AUROC)\n\n");
    if (gaps.isEmpty()) {
      md.append("Nowhere: ImpFlow's mean AUROC is at or above every peer's on every dataset and protocol.\n\n");
      return;
    }
    md.append("| dataset | protocol | ImpFlow | best peer | peer AUROC | gap | d | ImpFlow fit rows | outliers in"
        + " train | params per fit row |\n");
    md.append("|---|---|---:|---|---:|---:|---:|---:|---:|---:|\n");
    for (Gap g : gaps) {
      md.append(String.format(Locale.ROOT, "| %s | %s | %.4f | %s | %.4f | %.4f | %d | %,d | %.1f %% | %s |%n",
          g.dataset(), g.protocol().cliName(), g.subjectAuroc(), g.peer(), g.peerAuroc(),
          g.peerAuroc() - g.subjectAuroc(), g.dimension(), g.fitRows(), 100 * g.trainOutlierShare(),
          g.parameters() < 0 ? "–" : String.format(Locale.ROOT, "%.1f", (double) g.parameters() / g.fitRows())));
    }
    md.append('\n');
  }
}
