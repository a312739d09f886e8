package io.impflow.job.scoring;

import io.impflow.model.artifact.Checksums;
import io.impflow.model.artifact.ManifestLimits;
import io.impflow.model.artifact.ModelArtifact;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The files of a model artifact directory packed into one byte array, with the directory they came from: what the
 * scoring operator keeps in its checkpointed state, so a restored job serves the very model it served before, even
 * when the artifact directory has since been moved, replaced or deleted.
 *
 * <p>Layout: the origin (path or URI), the number of files, then each file's name, length and bytes (Java data-stream
 * encoding). Artifacts are flat directories of three files.
 */
final class ArtifactSnapshot {
  /** The files of an artifact, each with the most bytes it may have. */
  private static final List<Limit> FILES = List.of(
      new Limit(ModelArtifact.MANIFEST, ManifestLimits.MAX_MANIFEST_BYTES),
      new Limit(ModelArtifact.PARAMS, ManifestLimits.MAX_PARAMETERS * Double.BYTES),
      new Limit(Checksums.FILE_NAME, ManifestLimits.MAX_CHECKSUM_FILE_BYTES));

  private ArtifactSnapshot() {}

  /**
   * Reads the files of the artifact directory {@code directory} — the manifest, the parameters and the checksum
   * file, each of at most the size {@link ManifestLimits} allows it (checked while reading, so an announced artifact
   * with a huge file allocates no more than that); a file may also be a named pipe that some tool feeds. A missing
   * file is left out: loading the snapshot then refuses the artifact and names the file.
   *
   * @param origin where the artifact was loaded from, recorded in the snapshot and named in errors
   * @throws ModelRefusedException if a file is too large or cannot be read
   */
  static byte[] capture(Path directory, String origin) throws ModelRefusedException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      List<Limit> present = new ArrayList<>();
      for (Limit file : FILES) {
        Path path = directory.resolve(file.name);
        if (Files.exists(path) && !Files.isDirectory(path)) {
          present.add(file);
        }
      }
      out.writeUTF(origin);
      out.writeInt(present.size());
      for (Limit file : present) {
        String name = file.name;
        long limit = file.maxBytes;
        byte[] content;
        try (InputStream in = Files.newInputStream(directory.resolve(name))) {
          // readNBytes grows its buffer as bytes arrive; it never allocates the limit up front.
          content = in.readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE - 8));
        }
        if (content.length > limit) {
          throw new ModelRefusedException("model artifact " + origin + ": " + name + " is larger than the " + limit
              + " bytes a model artifact's " + name + " may have");
        }
        out.writeUTF(name);
        out.writeInt(content.length);
        out.write(content);
      }
    } catch (IOException e) {
      throw new ModelRefusedException("model artifact " + origin + " cannot be read: " + e, e);
    }
    return bytes.toByteArray();
  }

  /** The artifact directory the snapshot was captured from. */
  static String origin(byte[] snapshot) {
    try {
      return new DataInputStream(new ByteArrayInputStream(snapshot)).readUTF();
    } catch (IOException e) {
      throw new UncheckedIOException("not an artifact snapshot", e);
    }
  }

  /** The content of the snapshot's file {@code name}, or null if it has none. */
  static byte[] file(byte[] snapshot, String name) {
    for (Entry entry : entries(snapshot)) {
      if (entry.name.equals(name)) {
        return entry.content;
      }
    }
    return null;
  }

  /**
   * Writes the snapshot's files into the empty directory {@code into}, which then holds a copy of the artifact.
   *
   * @return the names of the files written
   */
  static List<String> unpack(byte[] snapshot, Path into) throws IOException {
    List<String> names = new ArrayList<>();
    for (Entry entry : entries(snapshot)) {
      Path target = into.resolve(entry.name).normalize();
      if (!target.getParent().equals(into.normalize())) {
        throw new IOException("artifact snapshot names a file outside its directory: " + entry.name);
      }
      Files.write(target, entry.content);
      names.add(entry.name);
    }
    return names;
  }

  private static List<Entry> entries(byte[] snapshot) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(snapshot))) {
      in.readUTF();
      int count = in.readInt();
      List<Entry> entries = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        String name = in.readUTF();
        byte[] content = new byte[in.readInt()];
        in.readFully(content);
        entries.add(new Entry(name, content));
      }
      return entries;
    } catch (IOException e) {
      throw new UncheckedIOException("corrupt artifact snapshot", e);
    }
  }

  private record Entry(String name, byte[] content) {}

  private record Limit(String name, long maxBytes) {}
}
