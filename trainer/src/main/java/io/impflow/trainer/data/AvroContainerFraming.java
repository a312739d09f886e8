package io.impflow.trainer.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Checks the framing of an Avro object container file against its size before Avro reads it: every length in the
 * header's metadata and every block's byte size must fit in the bytes left in the file, and every block must end
 * with the header's sync marker. Avro allocates what such a length claims (up to 2 GiB) before it finds that the
 * file is shorter; after this check, what it allocates is bounded by the file's size. Reads with a small buffer and
 * skips block contents, so the check itself allocates almost nothing.
 */
final class AvroContainerFraming {
  private static final byte[] MAGIC = {'O', 'b', 'j', 1};
  private static final int SYNC_LENGTH = 16;

  private final Path path;
  private final long size;
  private final InputStream in;
  private long position;

  private AvroContainerFraming(Path path, long size, InputStream in) {
    this.path = path;
    this.size = size;
    this.in = in;
  }

  /**
   * Checks {@code path}'s header and block framing.
   *
   * @throws DataSourceException naming the file and the byte offset of the first length or marker that is wrong
   */
  static void check(Path path) throws DataSourceException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 8192)) {
      new AvroContainerFraming(path, Files.size(path), in).checkAll();
    } catch (EOFException e) {
      throw new DataSourceException(path + " is not a readable Avro container file (it ends inside its framing: "
          + e.getMessage() + "); it is truncated or corrupted", e);
    } catch (IOException e) {
      throw new DataSourceException("cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  private void checkAll() throws IOException, DataSourceException {
    byte[] magic = readFixed(MAGIC.length);
    if (!Arrays.equals(magic, MAGIC)) {
      throw corrupted(0, "it does not start with the Avro container magic 'Obj' 1");
    }
    checkMetadata();
    byte[] sync = readFixed(SYNC_LENGTH);
    long block = 0;
    while (position < size) {
      long start = position;
      long count = readLong();
      if (count < 0) {
        throw corrupted(start, "block " + block + " claims " + count + " records");
      }
      long byteSize = readLong();
      if (byteSize < 0 || byteSize > size - position - SYNC_LENGTH) {
        throw corrupted(start, "block " + block + " claims " + byteSize + " bytes, but only "
            + Math.max(0, size - position - SYNC_LENGTH) + " bytes are left before its sync marker");
      }
      skip(byteSize);
      if (!Arrays.equals(readFixed(SYNC_LENGTH), sync)) {
        throw corrupted(position - SYNC_LENGTH, "block " + block + " does not end with the file's sync marker");
      }
      block++;
    }
  }

  /** The header's metadata map: blocks of entries (a string key, a bytes value) ending with a zero count. */
  private void checkMetadata() throws IOException, DataSourceException {
    while (true) {
      long start = position;
      long count = readLong();
      if (count == 0) {
        return;
      }
      if (count < 0) {
        count = -count;
        long byteSize = readLong();
        checkFits(start, byteSize, "a header metadata block of");
      }
      // Every entry takes at least two bytes (two lengths).
      if (count < 0 || count > (size - position) / 2) {
        throw corrupted(start, "the header metadata claims " + count + " entries, but only " + (size - position)
            + " bytes are left");
      }
      for (long i = 0; i < count; i++) {
        long keyAt = position;
        long keyLength = readLong();
        checkFits(keyAt, keyLength, "a header metadata key of");
        skip(keyLength);
        long valueAt = position;
        long valueLength = readLong();
        checkFits(valueAt, valueLength, "a header metadata value of");
        skip(valueLength);
      }
    }
  }

  private void checkFits(long at, long length, String what) throws DataSourceException {
    if (length < 0 || length > size - position) {
      throw corrupted(at, what + " " + length + " bytes, but only " + (size - position) + " bytes are left");
    }
  }

  private DataSourceException corrupted(long at, String what) {
    return new DataSourceException(path + " is not a readable Avro container file: at byte " + at + " " + what
        + " (a corrupted length field or a truncated file); write it with DataFileWriter, or use a CSV");
  }

  /** Avro's long: zig-zag, little-endian base-128, at most ten bytes. */
  private long readLong() throws IOException, DataSourceException {
    long start = position;
    long raw = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("at byte " + position);
      }
      position++;
      raw |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return (raw >>> 1) ^ -(raw & 1);
      }
    }
    throw corrupted(start, "a length is encoded in more than ten bytes");
  }

  private byte[] readFixed(int length) throws IOException {
    byte[] bytes = in.readNBytes(length);
    position += bytes.length;
    if (bytes.length < length) {
      throw new EOFException("at byte " + position);
    }
    return bytes;
  }

  private void skip(long length) throws IOException {
    in.skipNBytes(length);
    position += length;
  }
}
