package io.impflow.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.impflow.schemas.avro.FeatureVector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AvroFileDataSourceTest {

  @TempDir Path dir;

  private Path write(Schema schema, List<GenericRecord> records) throws IOException {
    Path path = dir.resolve("data.avro");
    try (DataFileWriter<GenericRecord> writer = new DataFileWriter<>(new GenericDatumWriter<>(schema))) {
      writer.create(schema, path.toFile());
      for (GenericRecord record : records) {
        writer.append(record);
      }
    }
    return path;
  }

  private static GenericRecord featureVector(String id, List<Double> features, Map<String, String> attributes) {
    GenericRecord record = new GenericData.Record(FeatureVector.getClassSchema());
    record.put("id", id);
    record.put("timestamp", 0L);
    record.put("features", features);
    record.put("attributes", attributes);
    return record;
  }

  @Test
  void readsFeatureVectorsWithLabelsFromTheirAttributes() throws Exception {
    Path path = write(FeatureVector.getClassSchema(), List.of(
        featureVector("a", List.of(1.0, 2.0), Map.of("y", "0")),
        featureVector("b", List.of(3.0, 4.0), Map.of("y", "1"))));
    Dataset data = new AvroFileDataSource(path, DataReadOptions.defaults()).read();
    assertThat(data.featureNames()).containsExactly("x0", "x1");
    assertThat(data.rows()).isDeepEqualTo(new double[][] {{1, 2}, {3, 4}});
    assertThat(data.labels()).containsExactly(0, 1);
  }

  @Test
  void userRecordsUseTheirNumericFieldsAndHashLikeTheSameCsv() throws Exception {
    Schema schema = SchemaBuilder.record("Reading").namespace("user").fields()
        .requiredString("sensor").requiredDouble("a").requiredInt("b").requiredInt("y").endRecord();
    GenericRecord first = new GenericData.Record(schema);
    first.put("sensor", "s1");
    first.put("a", 1.5);
    first.put("b", 2);
    first.put("y", 0);
    GenericRecord second = new GenericData.Record(schema);
    second.put("sensor", "s2");
    second.put("a", -1.0);
    second.put("b", 7);
    second.put("y", 1);
    Dataset avro = new AvroFileDataSource(write(schema, List.of(first, second)), DataReadOptions.defaults()).read();
    assertThat(avro.featureNames()).containsExactly("a", "b");
    assertThat(avro.labels()).containsExactly(0, 1);
    Path csv = Files.writeString(dir.resolve("same.csv"), "a,b,y\n1.5,2,0\n-1,7,1\n");
    assertThat(new CsvDataSource(csv, DataReadOptions.defaults()).read().sha256()).isEqualTo(avro.sha256());
  }

  @Test
  void featureVectorsOfDifferentLengthsAreRefusedWithTheRecordIndex() throws Exception {
    Path path = write(FeatureVector.getClassSchema(), List.of(
        featureVector("a", List.of(1.0, 2.0), Map.of()), featureVector("b", List.of(3.0), Map.of())));
    assertThatThrownBy(() -> new AvroFileDataSource(path, DataReadOptions.defaults()).read())
        .hasMessageContaining("record 1")
        .hasMessageContaining("1 features, but 2 expected");
  }

  @Test
  void aFileThatIsNotAvroIsRefused() throws Exception {
    Path path = Files.writeString(dir.resolve("fake.avro"), "a,b\n1,2\n");
    assertThatThrownBy(() -> new AvroFileDataSource(path, DataReadOptions.defaults()).read())
        .isInstanceOf(DataSourceException.class)
        .hasMessageContaining("not a readable Avro container file");
  }

  // Found by DataSourceFuzzTest: these escaped as UnsupportedOperationException and NullPointerException.

  @Test
  void aHeaderLengthPastAvrosLimitIsADataSourceException() throws IOException {
    // "Obj" 1, then a metadata map block claiming 2^31-1 entries.
    Path path = Files.write(dir.resolve("huge-map.avro"),
        new byte[] {'O', 'b', 'j', 1, (byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f});

    assertThatThrownBy(() -> new AvroFileDataSource(path, DataReadOptions.defaults()).read())
        .isInstanceOf(DataSourceException.class).hasMessageContaining(path.toString())
        .hasMessageContaining("not a readable Avro container file");
  }

  @Test
  void aHeaderWithoutASchemaIsADataSourceException() throws IOException {
    byte[] sync = new byte[16];
    byte[] header = {'O', 'b', 'j', 1, 2, 20, 'a', 'v', 'r', 'o', '.', 'c', 'o', 'd', 'e', 'c', 8, 'n', 'u', 'l', 'l', 0};
    byte[] file = java.util.Arrays.copyOf(header, header.length + sync.length);
    Path path = Files.write(dir.resolve("no-schema.avro"), file);

    assertThatThrownBy(() -> new AvroFileDataSource(path, DataReadOptions.defaults()).read())
        .isInstanceOf(DataSourceException.class).hasMessageContaining(path.toString());
  }
}
