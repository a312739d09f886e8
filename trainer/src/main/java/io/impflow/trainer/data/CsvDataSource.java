package io.impflow.trainer.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A comma-separated file: a header row of feature names, then one numeric row per record; an optional 0/1 label
 * column (default {@code y}) is split off as labels. Every value must be a finite number.
 */
public final class CsvDataSource implements DataSource {

  private final Path path;
  private final DataReadOptions options;

  /** A CSV source at {@code path}. */
  public CsvDataSource(Path path, DataReadOptions options) {
    this.path = path;
    this.options = options;
  }

  @Override
  public Dataset read() throws DataSourceException {
    if (Files.isDirectory(path)) {
      throw new DataSourceException(path + " is a directory; --data needs a CSV file");
    }
    try (BufferedReader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      return parse(reader);
    } catch (NoSuchFileException e) {
      throw new DataSourceException("data file not found: " + path.toAbsolutePath() + "; check the --data path");
    } catch (java.nio.charset.MalformedInputException e) {
      throw new DataSourceException(path + " is not UTF-8 text; --data expects a CSV file (or .avro, kafka://, toy:)");
    } catch (IOException e) {
      throw new DataSourceException("cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  private Dataset parse(BufferedReader reader) throws IOException, DataSourceException {
    String line;
    int lineNumber = 0;
    String headerLine = null;
    while ((line = reader.readLine()) != null) {
      lineNumber++;
      if (!line.isBlank()) {
        headerLine = line;
        break;
      }
    }
    if (headerLine == null) {
      throw new DataSourceException(path + " is empty; a CSV needs a header row of feature names, then data rows");
    }
    int headerLineNumber = lineNumber;
    List<String> header = splitCells(stripBom(headerLine));
    Set<String> seen = new HashSet<>();
    for (int c = 0; c < header.size(); c++) {
      String name = header.get(c);
      if (name.isEmpty()) {
        throw new DataSourceException(path + " line " + headerLineNumber + ", column " + (c + 1)
            + ": empty column name in the header; name every column");
      }
      if (!seen.add(name)) {
        throw new DataSourceException(path + " line " + headerLineNumber + ", column " + (c + 1)
            + ": column name '" + name + "' appears twice in the header; rename one");
      }
    }
    int labelIndex = header.indexOf(options.labelColumn());
    if (labelIndex < 0 && options.labelColumnRequired()) {
      throw new DataSourceException(path + " line " + headerLineNumber + ": label column '" + options.labelColumn()
          + "' (from --label-column) is not in the header " + header + "; pass the right --label-column");
    }
    int[] featureColumns = featureColumns(header, labelIndex, headerLineNumber);
    List<String> featureNames = new ArrayList<>();
    for (int c : featureColumns) {
      featureNames.add(header.get(c));
    }

    List<double[]> rows = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    while ((line = reader.readLine()) != null) {
      lineNumber++;
      if (line.isBlank()) {
        continue;
      }
      List<String> cells = splitCells(line);
      if (cells.size() != header.size()) {
        throw new DataSourceException(path + " line " + lineNumber + ": " + cells.size() + " cells, but the header"
            + " (line " + headerLineNumber + ") has " + header.size() + " columns; fix or remove this row");
      }
      double[] row = new double[featureColumns.length];
      for (int f = 0; f < featureColumns.length; f++) {
        int c = featureColumns[f];
        row[f] = parseCell(cells.get(c), lineNumber, c, header.get(c));
      }
      if (labelIndex >= 0) {
        labels.add(parseLabel(cells.get(labelIndex), lineNumber, labelIndex));
      }
      rows.add(row);
    }
    if (rows.isEmpty()) {
      throw new DataSourceException(path + " has a header (line " + headerLineNumber + ") but no data rows;"
          + " add at least one row of values");
    }
    int[] labelArray = labelIndex < 0 ? null : labels.stream().mapToInt(Integer::intValue).toArray();
    return new Dataset(featureNames, rows.toArray(new double[0][]), labelArray, path.toString());
  }

  private int[] featureColumns(List<String> header, int labelIndex, int headerLineNumber)
      throws DataSourceException {
    if (!options.featureNames().isEmpty()) {
      int[] columns = new int[options.featureNames().size()];
      for (int i = 0; i < columns.length; i++) {
        String name = options.featureNames().get(i);
        columns[i] = header.indexOf(name);
        if (columns[i] < 0 || columns[i] == labelIndex) {
          throw new DataSourceException(path + " line " + headerLineNumber + ": feature '" + name
              + "' (from --feature-names) is not a feature column of the header " + header);
        }
      }
      return columns;
    }
    int[] columns = new int[header.size() - (labelIndex >= 0 ? 1 : 0)];
    int next = 0;
    for (int c = 0; c < header.size(); c++) {
      if (c != labelIndex) {
        columns[next++] = c;
      }
    }
    if (columns.length == 0) {
      throw new DataSourceException(path + " line " + headerLineNumber + ": the header has no feature columns"
          + " besides the label column '" + options.labelColumn() + "'");
    }
    return columns;
  }

  private double parseCell(String cell, int lineNumber, int column, String name) throws DataSourceException {
    String where = path + " line " + lineNumber + ", column " + (column + 1) + " ('" + name + "')";
    if (cell.isEmpty()) {
      throw new DataSourceException(where + ": empty cell; every feature needs a number (impute or drop the row)");
    }
    double value;
    try {
      value = Double.parseDouble(cell);
    } catch (NumberFormatException e) {
      throw new DataSourceException(where + ": '" + cell + "' is not a number; fix the cell or drop the row");
    }
    if (!Double.isFinite(value)) {
      throw new DataSourceException(where + ": " + cell + " is not a finite number; NaN and Infinity cannot be"
          + " modelled, impute or drop the row");
    }
    return value;
  }

  private int parseLabel(String cell, int lineNumber, int column) throws DataSourceException {
    String where = path + " line " + lineNumber + ", column " + (column + 1) + " (label '" + options.labelColumn()
        + "')";
    try {
      double value = Double.parseDouble(cell);
      if (value == 0.0 || value == 1.0) {
        return (int) value;
      }
    } catch (NumberFormatException e) {
      // reported below with the same message as an out-of-range label
    }
    throw new DataSourceException(where + ": label '" + cell + "' is not 0 or 1 (1 = anomaly); fix the label or"
        + " choose another --label-column");
  }

  private static String stripBom(String line) {
    return line.startsWith("\uFEFF") ? line.substring(1) : line;
  }

  /** Splits one line on commas; a cell may be double-quoted (with "" for a quote), surrounding blanks are trimmed. */
  static List<String> splitCells(String line) {
    List<String> cells = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char ch = line.charAt(i);
      if (quoted) {
        if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cell.append('"');
          i++;
        } else if (ch == '"') {
          quoted = false;
        } else {
          cell.append(ch);
        }
      } else if (ch == '"') {
        quoted = true;
      } else if (ch == ',') {
        cells.add(cell.toString().trim());
        cell.setLength(0);
      } else {
        cell.append(ch);
      }
    }
    cells.add(cell.toString().trim());
    return cells;
  }
}
