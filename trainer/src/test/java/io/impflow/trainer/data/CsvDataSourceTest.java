package io.impflow.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvDataSourceTest {

  @TempDir Path dir;

  private Path csv(String content) throws IOException {
    return Files.writeString(dir.resolve("data.csv"), content);
  }

  private static Dataset read(Path path) throws DataSourceException {
    return new CsvDataSource(path, DataReadOptions.defaults()).read();
  }

  private static DataReadOptions labelRequired(String name) {
    return new DataReadOptions(name, true, List.of(), 10, 0L, null, 1000L);
  }

  @Test
  void readsFeaturesAndSplitsOffTheLabelColumn() throws Exception {
    Dataset data = read(csv("a,y,\"b\"\n1,0,2.5\n\n-3e2,1,4\n"));
    assertThat(data.featureNames()).containsExactly("a", "b");
    assertThat(data.rows()).isDeepEqualTo(new double[][] {{1, 2.5}, {-300, 4}});
    assertThat(data.labels()).containsExactly(0, 1);
  }

  @Test
  void withoutLabelColumnEveryColumnIsAFeature() throws Exception {
    Dataset data = read(csv("a,b\n1,2\n"));
    assertThat(data.featureNames()).containsExactly("a", "b");
    assertThat(data.hasLabels()).isFalse();
  }

  @Test
  void missingFileNamesThePath() {
    Path missing = dir.resolve("nope.csv");
    assertThatThrownBy(() -> read(missing))
        .isInstanceOf(DataSourceException.class)
        .hasMessageContaining("not found")
        .hasMessageContaining("nope.csv");
  }

  @Test
  void emptyFileIsRefused() throws Exception {
    Path path = csv("");
    assertThatThrownBy(() -> read(path)).hasMessageContaining("is empty").hasMessageContaining("header");
  }

  @Test
  void headerOnlyIsRefused() throws Exception {
    Path path = csv("a,b,y\n");
    assertThatThrownBy(() -> read(path)).hasMessageContaining("no data rows").hasMessageContaining("line 1");
  }

  @Test
  void raggedRowNamesItsLine() throws Exception {
    Path path = csv("a,b\n1,2\n3\n");
    assertThatThrownBy(() -> read(path))
        .hasMessageContaining("line 3")
        .hasMessageContaining("1 cells")
        .hasMessageContaining("2 columns");
  }

  @Test
  void nonNumericCellNamesLineAndColumn() throws Exception {
    Path path = csv("a,b\n1,2\n3,abc\n");
    assertThatThrownBy(() -> read(path))
        .hasMessageContaining("line 3, column 2 ('b')")
        .hasMessageContaining("'abc' is not a number");
  }

  @Test
  void nanAndInfinityCellsAreRefused() throws Exception {
    Path nan = csv("a,b\nNaN,2\n");
    assertThatThrownBy(() -> read(nan)).hasMessageContaining("line 2, column 1 ('a')").hasMessageContaining("finite");
    Path inf = csv("a,b\n1,2\n1,-Infinity\n");
    assertThatThrownBy(() -> read(inf)).hasMessageContaining("line 3, column 2").hasMessageContaining("finite");
  }

  @Test
  void explicitLabelColumnMustExist() throws Exception {
    Path path = csv("a,b\n1,2\n");
    assertThatThrownBy(() -> new CsvDataSource(path, labelRequired("label")).read())
        .hasMessageContaining("label column 'label'")
        .hasMessageContaining("--label-column");
  }

  @Test
  void labelsMustBeZeroOrOne() throws Exception {
    Path path = csv("a,y\n1,0\n2,2\n");
    assertThatThrownBy(() -> read(path)).hasMessageContaining("line 3").hasMessageContaining("not 0 or 1");
  }

  @Test
  void emptyCellAndDuplicateHeaderAreRefused() throws Exception {
    Path empty = csv("a,b\n1,\n");
    assertThatThrownBy(() -> read(empty)).hasMessageContaining("line 2, column 2").hasMessageContaining("empty cell");
    Path dup = csv("a,a\n1,2\n");
    assertThatThrownBy(() -> read(dup)).hasMessageContaining("appears twice");
  }

  @Test
  void theContentHashIgnoresFormatting() throws Exception {
    String first = read(csv("a,b\n1,2\n3,4\n")).sha256();
    String reformatted = read(csv("a, b\n1.0, 2\n\n3,4.00\n")).sha256();
    String different = read(csv("a,b\n1,2\n3,5\n")).sha256();
    assertThat(reformatted).isEqualTo(first);
    assertThat(different).isNotEqualTo(first);
  }
}
