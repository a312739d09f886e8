package io.impflow.bench.quality;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeneratedSectionsTest {

  @Test
  void replacesOnlyTheMarkedRegion() {
    String doc = "# Title\n\nintro\n\n" + GeneratedSections.begin("t") + "\nold table\n" + GeneratedSections.end("t")
        + "\n\n## Analysis\n\nhand-written\n";
    String updated = GeneratedSections.replace(doc, "t", "new table\n");
    assertThat(updated).isEqualTo("# Title\n\nintro\n\n" + GeneratedSections.begin("t") + "\nnew table\n"
        + GeneratedSections.end("t") + "\n\n## Analysis\n\nhand-written\n");
    assertThat(GeneratedSections.replace(updated, "t", "new table\n")).isEqualTo(updated);
  }

  @Test
  void appendsAMissingRegionAndCreatesTheFile(@TempDir Path dir) throws Exception {
    Path doc = dir.resolve("docs/benchmarks.md");
    GeneratedSections.replaceInFile(doc, "a", "first");
    GeneratedSections.replaceInFile(doc, "b", "second");
    GeneratedSections.replaceInFile(doc, "a", "third");
    String text = Files.readString(doc);
    assertThat(text).contains("third").contains("second").doesNotContain("first");
    assertThat(text.indexOf("third")).isLessThan(text.indexOf("second"));
  }
}
