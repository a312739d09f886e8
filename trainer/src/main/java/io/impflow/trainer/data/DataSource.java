package io.impflow.trainer.data;

import java.nio.file.Path;

/** Somewhere rows come from: a CSV file, an Avro container file, a Kafka topic window, or built-in toy data. */
public interface DataSource {

  /** Reads every row; fails as a whole (nothing partial) with a message naming the place and the fix. */
  Dataset read() throws DataSourceException;

  /**
   * The source a {@code --data} value names: {@code toy:NAME}, {@code kafka://HOST:PORT[,HOST:PORT]/TOPIC}, a path
   * ending in {@code .avro}, or else a CSV path.
   */
  static DataSource parse(String spec, DataReadOptions options) throws DataSourceException {
    if (spec == null || spec.isBlank()) {
      throw new DataSourceException("--data is empty; give a CSV or Avro file, kafka://HOST:PORT/TOPIC or toy:NAME");
    }
    if (spec.startsWith(ToyDataSource.PREFIX)) {
      return ToyDataSource.parse(spec, options);
    }
    if (spec.startsWith(KafkaWindowDataSource.SCHEME)) {
      return KafkaWindowDataSource.parse(spec, options);
    }
    Path path = Path.of(spec);
    if (spec.endsWith(".avro")) {
      return new AvroFileDataSource(path, options);
    }
    return new CsvDataSource(path, options);
  }
}
