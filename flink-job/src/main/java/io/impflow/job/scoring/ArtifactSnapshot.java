package io.impflow.job.scoring;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The files of a model artifact directory packed into one byte array, with the directory they came from: what the
 * scoring operator keeps in its checkpointed state, so a restored job serves the very model it served before, even
 * when the artifact directory has since been moved, replaced or deleted.
 *
 * <p>Layout: the origin path, the number of files, then each file's name, length and bytes (Java data-stream
 * encoding). Artifacts are flat directories of a few files.
 */
final class ArtifactSnapshot {
  private ArtifactSnapshot() {}

  /**
   * Reads every file of the artifact directory {@code dir} (anything but subdirectories, so also a named pipe that
   * some tool feeds).
   *
   * @throws ModelRefusedException if the directory or one of its files cannot be read
   */
  static byte[] capture(String dir) throws ModelRefusedException {
    Path directory = Path.of(dir);
    List<Path> files;
    try (Stream<Path> entries = Files.list(directory)) {
      files = entries.filter(p -> !Files.isDirectory(p)).sorted().toList();
    } catch (IOException e) {
      throw new ModelRefusedException("model artifact " + dir + " cannot be read: " + e, e);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeUTF(dir);
      out.writeInt(files.size());
      for (Path file : files) {
        byte[] content = Files.readAllBytes(file);
        out.writeUTF(file.getFileName().toString());
        out.writeInt(content.length);
        out.write(content);
      }
    } catch (IOException e) {
      throw new ModelRefusedException("model artifact " + dir + " cannot be read: " + e, e);
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
}
