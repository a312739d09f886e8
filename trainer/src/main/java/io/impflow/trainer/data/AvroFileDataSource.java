package io.impflow.trainer.data;

import io.impflow.schemas.serde.BoundedDecoder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
    // Lengths in the framing are checked against the file before Avro allocates what they claim.
    AvroContainerFraming.check(path);
    try (DataFileReader<GenericRecord> reader =
        new DataFileReader<>(path.toFile(), new GenericDatumReader<>())) {
      RecordRowReader rowReader = RecordRowReader.forSchema(reader.getSchema(), options, path.toString());
      GenericDatumReader<GenericRecord> datumReader = new GenericDatumReader<>(reader.getSchema());
      List<double[]> rows = new ArrayList<>();
      List<Integer> labels = new ArrayList<>();
      long index = 0;
      long block = 0;
      while (reader.hasNext()) {
        long count = reader.getBlockCount();
        ByteBuffer data = reader.nextBlock();
        byte[] bytes = data.hasArray() ? data.array() : copy(data);
        int offset = data.hasArray() ? data.arrayOffset() + data.position() : 0;
        // Lengths inside records are checked against the block's bytes before anything is allocated for them.
        BoundedDecoder decoder = BoundedDecoder.over(bytes, offset, data.remaining());
        for (long i = 0; i < count; i++) {
          rowReader.read(datumReader.read(null, decoder), path + " record " + index, rows, labels);
          index++;
        }
        if (decoder.remaining() > 0) {
          throw new DataSourceException(path + " is not a readable Avro container file: block " + block + " has "
              + decoder.remaining() + " bytes left after its " + count + " records (corrupted)");
        }
        block++;
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

  private static byte[] copy(ByteBuffer data) {
    byte[] bytes = new byte[data.remaining()];
    data.duplicate().get(bytes);
    return bytes;
  }
}
