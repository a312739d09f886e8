package io.impflow.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.impflow.schemas.avro.FeatureVector;
import io.impflow.testkit.fuzz.ByteMutation;
import io.impflow.testkit.fuzz.Fuzz;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the trainer's file readers: arbitrary and mutated CSV text and Avro container bytes, written to a file,
 * read as a {@link Dataset} or fail with a {@link DataSourceException} whose message names the file (and, for a CSV
 * row, the line); nothing else escapes, and one read of a small file allocates at most
 * {@link Fuzz#ALLOCATION_LIMIT_BYTES} whatever its length fields claim. {@code -Dimpflow.fuzz.tries=100000} for a
 * longer run.
 */
class DataSourceFuzzTest {
  private static final String VALID_CSV = "a,b,\"c, quoted\",y\n1,2.5,-3e2,0\n\n4,5,6,1\r\n7, 8 ,\"9\",0\n";
  private static final String CSV_ALPHABET = "0123456789,,,\"\"\n\n\r .e-+yabcxNInf\uFEFF\u00e9\t";
  private static final List<DataReadOptions> OPTIONS = List.of(DataReadOptions.defaults(),
      new DataReadOptions("y", true, List.of(), 10, 0L, null, 1000L),
      new DataReadOptions("c, quoted", false, List.of("a", "b"), 10, 0L, null, 1000L));

  static final Schema USER = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Row\",\"fields\":["
      + "{\"name\":\"name\",\"type\":\"string\"},{\"name\":\"a\",\"type\":\"int\"},"
      + "{\"name\":\"b\",\"type\":\"double\"},{\"name\":\"tags\",\"type\":{\"type\":\"array\",\"items\":\"string\"}},"
      + "{\"name\":\"y\",\"type\":\"long\"}]}");

  @TempDir
  static Path dir;

  private static final List<byte[]> CONTAINERS = new ArrayList<>();

  /** Three small {@link #USER} records, the seed of the fuzzed and the hand-corrupted containers. */
  static List<GenericRecord> userRows() {
    List<GenericRecord> rows = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      GenericRecord row = new GenericData.Record(USER);
      row.put("name", "row" + i);
      row.put("a", i);
      row.put("b", i * 0.5);
      row.put("tags", List.of("t" + i));
      row.put("y", (long) (i % 2));
      rows.add(row);
    }
    return rows;
  }

  @BeforeAll
  static void containers() throws IOException {
    List<GenericRecord> rows = userRows();
    CONTAINERS.add(container(USER, rows, CodecFactory.nullCodec()));
    CONTAINERS.add(container(USER, rows, CodecFactory.deflateCodec(6)));
    List<GenericRecord> vectors = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      GenericRecord vector = new GenericData.Record(FeatureVector.getClassSchema());
      vector.put("id", "v" + i);
      vector.put("timestamp", 0L);
      vector.put("features", List.of(1.0 + i, 2.0));
      vector.put("attributes", Map.of("y", "1"));
      vectors.add(vector);
    }
    CONTAINERS.add(container(FeatureVector.getClassSchema(), vectors, CodecFactory.nullCodec()));
  }

  @Test
  void arbitraryCsvTextIsADatasetOrALocatedRejection() throws Exception {
    Path csv = dir.resolve("fuzz.csv");
    Fuzz.forAll(20261220, 1500, random -> text(random, 120), text -> {
      Files.writeString(csv, text, StandardCharsets.UTF_8);
      readsCsvOrRejects(csv, text);
    });
  }

  @Test
  void mutatedCsvIsADatasetOrALocatedRejection() throws Exception {
    Path csv = dir.resolve("mutated.csv");
    byte[] valid = VALID_CSV.getBytes(StandardCharsets.UTF_8);
    Fuzz.forAll(20261221, 1500, random -> ByteMutation.randomList(random, 4), mutations -> {
      Files.write(csv, ByteMutation.applyAll(valid, mutations));
      readsCsvOrRejects(csv, mutations);
    });
  }

  @Test
  void arbitraryBytesAsAvroAreRejectedWithTheFile() throws Exception {
    Path avro = dir.resolve("random.avro");
    byte[] magic = {'O', 'b', 'j', 1};
    Fuzz.forAll(20261222, 1000, random -> {
      byte[] body = Fuzz.bytes(random, 200);
      if (random.nextBoolean()) {
        System.arraycopy(magic, 0, body, 0, Math.min(4, body.length));
      }
      return body;
    }, bytes -> readsAvroOrRejects(avro, bytes));
  }

  @Test
  void mutatedContainersAreADatasetOrARejectionWithTheFile() throws Exception {
    Path avro = dir.resolve("mutated.avro");
    Fuzz.forAll(20261223, 2000, random -> new Mutated(random.nextInt(CONTAINERS.size()),
        ByteMutation.randomList(random, 3)), mutated -> readsAvroOrRejects(avro,
            ByteMutation.applyAll(CONTAINERS.get(mutated.container()), mutated.mutations())));
  }

  private static void readsCsvOrRejects(Path csv, Object input) {
    for (DataReadOptions options : OPTIONS) {
      try {
        Dataset dataset = new CsvDataSource(csv, options).read();
        assertThat(dataset.rows()).isNotEmpty();
      } catch (DataSourceException e) {
        assertThat(e.getMessage()).as("for %s", input).contains(csv.toString());
        assertThat(e.getMessage()).as("for %s", input)
            .matches("(?s).*(line \\d+| is empty| is not UTF-8 text).*");
      }
    }
  }

  /**
   * A dataset or a DataSourceException naming the file, and at most {@link Fuzz#ALLOCATION_LIMIT_BYTES} allocated
   * whatever the lengths in the file claim (the former open finding: see AvroContainerLengthTest).
   */
  private static void readsAvroOrRejects(Path avro, byte[] bytes) throws IOException {
    Files.write(avro, bytes);
    for (DataReadOptions options : OPTIONS) {
      long before = Fuzz.allocatedBytes();
      try {
        Dataset dataset = new AvroFileDataSource(avro, options).read();
        assertThat(dataset.rows()).isNotEmpty();
      } catch (DataSourceException e) {
        assertThat(e.getMessage()).as("for %s", HexFormat.of().formatHex(bytes)).contains(avro.toString());
      }
      assertThat(Fuzz.allocatedBytes() - before).as("bytes allocated for %s", HexFormat.of().formatHex(bytes))
          .isLessThan(Fuzz.ALLOCATION_LIMIT_BYTES);
    }
  }

  private static String text(Random random, int maxLength) {
    StringBuilder text = new StringBuilder();
    int length = random.nextInt(maxLength + 1);
    for (int i = 0; i < length; i++) {
      text.append(random.nextInt(10) == 0 ? (char) random.nextInt(0xD800)
          : CSV_ALPHABET.charAt(random.nextInt(CSV_ALPHABET.length())));
    }
    return text.toString();
  }

  static byte[] container(Schema schema, List<GenericRecord> records, CodecFactory codec) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DataFileWriter<GenericRecord> writer = new DataFileWriter<>(new GenericDatumWriter<>(schema))) {
      writer.setCodec(codec);
      writer.create(schema, out);
      for (GenericRecord record : records) {
        writer.append(record);
      }
    }
    return out.toByteArray();
  }

  private record Mutated(int container, List<ByteMutation> mutations) {}
}
