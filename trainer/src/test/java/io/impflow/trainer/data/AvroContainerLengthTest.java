package io.impflow.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.impflow.testkit.fuzz.Fuzz;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.avro.file.CodecFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression for issue 14's open fuzz finding: a corrupted length field in an Avro container file (a header
 * metadata length, a block's byte size, a string length inside a record) is a {@link DataSourceException} naming the
 * file, raised before anything near the claimed size is allocated.
 */
class AvroContainerLengthTest {
  @TempDir
  static Path dir;

  private static byte[] valid;
  /** Where the first block starts: after the header's 16-byte sync marker. */
  private static int firstBlock;

  @BeforeAll
  static void writeContainer() throws IOException {
    valid = DataSourceFuzzTest.container(DataSourceFuzzTest.USER, DataSourceFuzzTest.userRows(),
        CodecFactory.nullCodec());
    byte[] sync = Arrays.copyOfRange(valid, valid.length - 16, valid.length);
    for (int i = 0; firstBlock == 0; i++) {
      if (Arrays.equals(Arrays.copyOfRange(valid, i, i + 16), sync)) {
        firstBlock = i + 16;
      }
    }
  }

  @Test
  void theUntouchedContainerReads() throws Exception {
    Path file = Files.write(dir.resolve("valid.avro"), valid);
    assertThat(new AvroFileDataSource(file, DataReadOptions.defaults()).read().size()).isEqualTo(3);
  }

  @Test
  void aHostileBlockSizeIsRejectedBeforeAllocation() throws Exception {
    int[] count = varintAt(firstBlock);
    int[] blockSize = varintAt(firstBlock + count[1]);
    for (long hostile : Fuzz.HOSTILE_LENGTHS) {
      if (hostile >= 0 && hostile <= blockSize[0]) {
        continue;
      }
      byte[] corrupted = replace(valid, firstBlock + count[1], blockSize[1], Fuzz.zigZagVarint(hostile));
      rejectsWithBoundedAllocation("block-size", hostile, corrupted);
    }
  }

  @Test
  void aHostileStringLengthInsideARecordIsRejectedBeforeAllocation() throws Exception {
    int[] count = varintAt(firstBlock);
    int[] blockSize = varintAt(firstBlock + count[1]);
    int data = firstBlock + count[1] + blockSize[1];
    int[] nameLength = varintAt(data);
    for (long hostile : Fuzz.HOSTILE_LENGTHS) {
      if (hostile >= 0 && hostile <= blockSize[0]) {
        continue;
      }
      byte[] length = Fuzz.zigZagVarint(hostile);
      byte[] corrupted = replace(valid, data, nameLength[1], length);
      // Keep the framing consistent, so that only the length inside the record is wrong.
      int newSize = blockSize[0] - nameLength[1] + length.length;
      corrupted = replace(corrupted, firstBlock + count[1], blockSize[1], Fuzz.zigZagVarint(newSize));
      rejectsWithBoundedAllocation("string-length", hostile, corrupted);
    }
  }

  @Test
  void aHostileHeaderMetadataLengthIsRejectedBeforeAllocation() throws Exception {
    // The header: magic (4 bytes), the metadata entry count, then the first key's length.
    int[] entries = varintAt(4);
    int keyAt = 4 + entries[1];
    int[] keyLength = varintAt(keyAt);
    int valueAt = keyAt + keyLength[1] + keyLength[0];
    int[] valueLength = varintAt(valueAt);
    for (long hostile : Fuzz.HOSTILE_LENGTHS) {
      if (hostile >= 0 && hostile <= valid.length) {
        continue;
      }
      rejectsWithBoundedAllocation("key-length", hostile,
          replace(valid, keyAt, keyLength[1], Fuzz.zigZagVarint(hostile)));
      rejectsWithBoundedAllocation("value-length", hostile,
          replace(valid, valueAt, valueLength[1], Fuzz.zigZagVarint(hostile)));
    }
  }

  private static void rejectsWithBoundedAllocation(String what, long hostile, byte[] corrupted) throws IOException {
    Path file = Files.write(dir.resolve(what + ".avro"), corrupted);
    long before = Fuzz.allocatedBytes();
    assertThatThrownBy(() -> new AvroFileDataSource(file, DataReadOptions.defaults()).read())
        .as("%s %d", what, hostile).isInstanceOf(DataSourceException.class).hasMessageContaining(file.toString());
    assertThat(Fuzz.allocatedBytes() - before).as("bytes allocated reading a %s of %d", what, hostile)
        .isLessThan(Fuzz.ALLOCATION_LIMIT_BYTES);
  }

  /** The value and the encoded length of the zig-zag varint at {@code offset} of the valid container. */
  private static int[] varintAt(int offset) {
    long raw = 0;
    int i = 0;
    while (true) {
      int b = valid[offset + i] & 0xff;
      raw |= (long) (b & 0x7f) << (7 * i);
      i++;
      if ((b & 0x80) == 0) {
        return new int[] {(int) ((raw >>> 1) ^ -(raw & 1)), i};
      }
    }
  }

  private static byte[] replace(byte[] bytes, int offset, int length, byte[] replacement) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(bytes, 0, offset);
    out.write(replacement, 0, replacement.length);
    out.write(bytes, offset + length, bytes.length - offset - length);
    return out.toByteArray();
  }
}
