package io.impflow.job.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.impflow.job.TestModels;
import io.impflow.model.artifact.Checksums;
import io.impflow.model.artifact.ManifestLimits;
import io.impflow.model.artifact.ModelArtifact;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpointed copy of an artifact's files: exactly the artifact's files, each read within its size limit. */
class ArtifactSnapshotTest {
  @TempDir
  Path dir;

  @Test
  void capturesTheArtifactsFilesAndUnpacksThemUnchanged() throws Exception {
    Path model = TestModels.writeCalibratedModel(dir.resolve("model"), 3);
    Files.writeString(model.resolve("notes.txt"), "not part of the artifact");

    byte[] snapshot = ArtifactSnapshot.capture(model, "file:/models/v1");

    assertThat(ArtifactSnapshot.origin(snapshot)).isEqualTo("file:/models/v1");
    Path copy = Files.createDirectory(dir.resolve("copy"));
    assertThat(ArtifactSnapshot.unpack(snapshot, copy)).containsExactlyInAnyOrder(ModelArtifact.MANIFEST,
        ModelArtifact.PARAMS, Checksums.FILE_NAME);
    for (String name : List.of(ModelArtifact.MANIFEST, ModelArtifact.PARAMS, Checksums.FILE_NAME)) {
      assertThat(copy.resolve(name)).hasBinaryContent(Files.readAllBytes(model.resolve(name)));
    }
  }

  @Test
  void anOversizedManifestIsRefusedWithoutReadingItWhole() throws Exception {
    Path model = TestModels.writeCalibratedModel(dir.resolve("model"), 3);
    long claimed = 1L << 30;
    try (RandomAccessFile manifest = new RandomAccessFile(model.resolve(ModelArtifact.MANIFEST).toFile(), "rw")) {
      manifest.setLength(claimed); // sparse: a 1 GiB manifest costs no disk
    }
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();

    assertThatThrownBy(() -> ArtifactSnapshot.capture(model, "file:/models/huge"))
        .isInstanceOf(ModelRefusedException.class)
        .hasMessageContaining("file:/models/huge")
        .hasMessageContaining(ModelArtifact.MANIFEST)
        .hasMessageContaining(Long.toString(ManifestLimits.MAX_MANIFEST_BYTES));
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertThat(allocated).as("bytes allocated refusing a %d-byte manifest", claimed).isLessThan(64L << 20);
  }
}
