package io.impflow.bench.quality;

import io.impflow.trainer.data.SplitProtocol;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Run records as CSV, one line per (dataset, protocol, seed, method), so that suite shards running in separate
 * processes can be merged into one report and anyone can recompute the tables. Text fields are double-quoted.
 */
public final class RunRecordCsv {

  /** The header line. */
  public static final String HEADER = "dataset,protocol,seed,method,parameters,auroc,auprc,fit_wall_s,fit_cpu_s,"
      + "score_wall_s,score_cpu_s,test_rows,fit_rows,unscored,train_outlier_share,note";

  private RunRecordCsv() {}

  /** The CSV text of {@code records}, header first. */
  public static String format(List<RunRecord> records) {
    StringBuilder csv = new StringBuilder(HEADER).append('\n');
    for (RunRecord r : records) {
      csv.append(String.format(Locale.ROOT, "%s,%s,%d,%s,%d,%.17g,%.17g,%.6f,%.6f,%.6f,%.6f,%d,%d,%d,%.17g,%s%n",
          quote(r.dataset()), r.protocol().cliName(), r.seed(), quote(r.method()), r.parameters(), r.auroc(),
          r.auprc(), r.fitTime().wallSeconds(), r.fitTime().cpuSeconds(), r.scoreTime().wallSeconds(),
          r.scoreTime().cpuSeconds(), r.testRows(), r.fitRows(), r.unscored(), r.trainOutlierShare(),
          quote(r.note())));
    }
    return csv.toString();
  }

  /** Writes {@code records} to {@code path}, creating parent directories. */
  public static void write(Path path, List<RunRecord> records) throws IOException {
    Path parent = path.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Files.writeString(path, format(records), StandardCharsets.UTF_8);
  }

  /** Appends one record to {@code path}, writing the header first when the file does not exist yet. */
  public static void append(Path path, RunRecord record) throws IOException {
    Path parent = path.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    String text = format(List.of(record));
    if (Files.exists(path)) {
      text = text.substring(HEADER.length() + 1);
    }
    Files.writeString(path, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  /**
   * Reads records written by {@link #write} or {@link #append}.
   *
   * @throws IOException when the file cannot be read or a line is malformed (the message names file and line)
   */
  public static List<RunRecord> read(Path path) throws IOException {
    List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
    if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
      throw new IOException(path + " line 1: expected the header '" + HEADER + "'; is this a quality-suite results"
          + " file?");
    }
    List<RunRecord> records = new ArrayList<>();
    for (int n = 1; n < lines.size(); n++) {
      if (lines.get(n).isBlank()) {
        continue;
      }
      List<String> f = split(lines.get(n));
      try {
        if (f.size() != 16) {
          throw new IllegalArgumentException(f.size() + " fields, expected 16");
        }
        SplitProtocol protocol = SplitProtocol.valueOf(f.get(1).toUpperCase(Locale.ROOT));
        records.add(new RunRecord(f.get(0), protocol, Long.parseLong(f.get(2)), f.get(3), Long.parseLong(f.get(4)),
            Double.parseDouble(f.get(5)), Double.parseDouble(f.get(6)),
            new Stopwatch.Elapsed(Double.parseDouble(f.get(7)), Double.parseDouble(f.get(8))),
            new Stopwatch.Elapsed(Double.parseDouble(f.get(9)), Double.parseDouble(f.get(10))),
            Integer.parseInt(f.get(11)), Integer.parseInt(f.get(12)), Integer.parseInt(f.get(13)),
            Double.parseDouble(f.get(14)), f.get(15)));
      } catch (IllegalArgumentException e) {
        throw new IOException(path + " line " + (n + 1) + ": " + e.getMessage()
            + "; regenerate the file with the quality suite", e);
      }
    }
    return records;
  }

  private static String quote(String text) {
    return '"' + text.replace("\"", "\"\"") + '"';
  }

  private static List<String> split(String line) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted && c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
        field.append('"');
        i++;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        fields.add(field.toString());
        field.setLength(0);
      } else {
        field.append(c);
      }
    }
    fields.add(field.toString());
    return fields;
  }
}
