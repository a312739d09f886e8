package io.impflow.schemas.serde;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.util.Utf8;

/**
 * A binary decoder over one in-memory message that refuses string, bytes, array and map lengths the message cannot
 * hold, so a corrupted length field fails fast instead of allocating up to gigabytes before the read runs out of
 * bytes, and refuses strings that are not valid UTF-8. Public for other in-memory Avro data, e.g. the records of one
 * block of an Avro container file.
 */
public final class BoundedDecoder extends Decoder {
  /**
   * Array items may take zero bytes (null, empty records), so an array may claim this many items more than the bytes
   * left; the allocation this allows stays small.
   */
  private static final long ZERO_BYTE_ITEM_ALLOWANCE = 1 << 16;

  private final BinaryDecoder in;
  private final int bodyLength;

  BoundedDecoder(BinaryDecoder in, int bodyLength) {
    this.in = in;
    this.bodyLength = bodyLength;
  }

  /** A decoder of the records in {@code bytes[offset..offset+length)}, read one after another. */
  public static BoundedDecoder over(byte[] bytes, int offset, int length) {
    return new BoundedDecoder(DecoderFactory.get().binaryDecoder(bytes, offset, length, null), length);
  }

  /** The bytes not read yet. */
  public int remaining() {
    try {
      return in.inputStream().available();
    } catch (IOException e) {
      throw new UncheckedIOException("reading from memory failed", e);
    }
  }

  @Override
  public void readNull() throws IOException {
    in.readNull();
  }

  @Override
  public boolean readBoolean() throws IOException {
    return in.readBoolean();
  }

  @Override
  public int readInt() throws IOException {
    return in.readInt();
  }

  @Override
  public long readLong() throws IOException {
    return in.readLong();
  }

  @Override
  public float readFloat() throws IOException {
    return in.readFloat();
  }

  @Override
  public double readDouble() throws IOException {
    return in.readDouble();
  }

  @Override
  public Utf8 readString(Utf8 old) throws IOException {
    int length = checkedLength(in.readLong(), "string");
    Utf8 result = old != null ? old : new Utf8();
    result.setByteLength(length);
    in.readFixed(result.getBytes(), 0, length);
    utf8(result.getBytes(), length);
    return result;
  }

  @Override
  public String readString() throws IOException {
    byte[] bytes = readLengthPrefixed("string");
    return utf8(bytes, bytes.length);
  }

  @Override
  public void skipString() throws IOException {
    in.skipFixed(checkedLength(in.readLong(), "string"));
  }

  @Override
  public ByteBuffer readBytes(ByteBuffer old) throws IOException {
    return ByteBuffer.wrap(readLengthPrefixed("bytes"));
  }

  @Override
  public void skipBytes() throws IOException {
    in.skipFixed(checkedLength(in.readLong(), "bytes"));
  }

  @Override
  public void readFixed(byte[] bytes, int start, int length) throws IOException {
    in.readFixed(bytes, start, length);
  }

  @Override
  public void skipFixed(int length) throws IOException {
    in.skipFixed(length);
  }

  @Override
  public int readEnum() throws IOException {
    return in.readEnum();
  }

  @Override
  public long readArrayStart() throws IOException {
    return checkedItems(in.readArrayStart(), ZERO_BYTE_ITEM_ALLOWANCE, "array");
  }

  @Override
  public long arrayNext() throws IOException {
    return checkedItems(in.arrayNext(), ZERO_BYTE_ITEM_ALLOWANCE, "array");
  }

  @Override
  public long skipArray() throws IOException {
    return checkedItems(in.skipArray(), ZERO_BYTE_ITEM_ALLOWANCE, "array");
  }

  // Every map entry has a key of at least one byte.
  @Override
  public long readMapStart() throws IOException {
    return checkedItems(in.readMapStart(), 0, "map");
  }

  @Override
  public long mapNext() throws IOException {
    return checkedItems(in.mapNext(), 0, "map");
  }

  @Override
  public long skipMap() throws IOException {
    return checkedItems(in.skipMap(), 0, "map");
  }

  @Override
  public int readIndex() throws IOException {
    return in.readIndex();
  }

  private byte[] readLengthPrefixed(String what) throws IOException {
    byte[] bytes = new byte[checkedLength(in.readLong(), what)];
    in.readFixed(bytes, 0, bytes.length);
    return bytes;
  }

  /** Avro strings are UTF-8; Java would silently replace bad bytes, which hides corruption. */
  private String utf8(byte[] bytes, int length) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, length)).toString();
    } catch (CharacterCodingException e) {
      throw new AvroRuntimeException("Malformed data: a string ending at byte " + (bodyLength - remaining())
          + " of the body is not valid UTF-8 (" + e + ")");
    }
  }

  private int checkedLength(long length, String what) {
    if (length < 0 || length > remaining()) {
      throw new AvroRuntimeException("Malformed data: " + what + " length " + length + " at byte "
          + (bodyLength - remaining()) + " of the body, but only " + remaining() + " bytes are left");
    }
    return (int) length;
  }

  private long checkedItems(long items, long allowance, String what) {
    if (items < 0 || items > remaining() + allowance) {
      throw new AvroRuntimeException("Malformed data: " + what + " block of " + items + " items at byte "
          + (bodyLength - remaining()) + " of the body, but only " + remaining() + " bytes are left");
    }
    return items;
  }
}
