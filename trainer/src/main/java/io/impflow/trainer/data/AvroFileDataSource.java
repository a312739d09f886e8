package io.impflow.trainer.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;

/**
 * An Avro object container file of either the project's {@code FeatureVector} records or a user's own record
 * schema whose numeric fields are the features.
 */
public final class AvroFileDataSource implements DataSource {

  private final Path path;
  private final DataReadOptions options;

  /** An Avro container file at {@code path}. */
  public AvroFileDataSource(Path path, DataReadOptions options) {
    this.path = path;
    this.options = options;
  }

  @Override
  public Dataset read() throws DataSourceException {
    if (!Files.isRegularFile(path)) {
      throw new DataSourceException("data file not found: " + path.toAbsolutePath() + "; check the --data path");
    }
    try (DataFileReader<GenericRecord> reader =
        new DataFileReader<>(path.toFile(), new GenericDatumReader<>())) {
      RecordRowReader rowReader = RecordRowReader.forSchema(reader.getSchema(), options, path.toString());
      List<double[]> rows = new ArrayList<>();
      List<Integer> labels = new ArrayList<>();
      long index = 0;
      while (reader.hasNext()) {
        GenericRecord record = reader.next();
        rowReader.read(record, path + " record " + index, rows, labels);
        index++;
      }
      if (rows.isEmpty()) {
        throw new DataSourceException(path + " holds no records; write at least one record to it");
      }
      return rowReader.toDataset(rows, labels, path.toString());
    } catch (IOException | RuntimeException e) {
      // Not only AvroRuntimeException: a corrupted file also makes Avro throw UnsupportedOperationException (a
      // length past its limits), NullPointerException (no avro.schema in the header), IndexOutOfBounds and others.
      throw new DataSourceException(path + " is not a readable Avro container file (" + e.getMessage()
          + "); write it with DataFileWriter, or use a CSV", e);
    }
  }
}
