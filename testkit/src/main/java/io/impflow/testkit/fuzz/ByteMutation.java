package io.impflow.testkit.fuzz;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One edit of a byte string, as a fuzzer would make it to a valid encoding. {@code position} and {@code value} are
 * arbitrary integers reduced to the input (position modulo the length, value modulo what the kind needs), so any
 * generated pair is a valid edit.
 *
 * @param kind what the edit does
 * @param position where, modulo the input length (plus one for insertions and truncation)
 * @param value the flipped bit, the byte written or inserted, or the index of the hostile length
 */
public record ByteMutation(Kind kind, int position, int value) {

  /** The kinds of edit. */
  public enum Kind {
    /** Flips one bit ({@code value % 8}) of the byte at {@code position}. */
    FLIP_BIT,
    /** Overwrites the byte at {@code position} with {@code value}. */
    SET_BYTE,
    /** Inserts the byte {@code value} before {@code position}. */
    INSERT_BYTE,
    /** Deletes the byte at {@code position}. */
    DELETE_BYTE,
    /** Cuts the input to {@code position} bytes. */
    TRUNCATE,
    /**
     * Replaces the byte at {@code position} (in Avro, often a whole one-byte length or count) with the zig-zag
     * varint of {@link Fuzz#HOSTILE_LENGTHS}{@code [value]}.
     */
    HOSTILE_LENGTH,
    /** Inserts the zig-zag varint of {@link Fuzz#HOSTILE_LENGTHS}{@code [value]} before {@code position}. */
    INSERT_HOSTILE_LENGTH
  }

  /** The input with this edit made (a new array; the input is not changed). */
  public byte[] applyTo(byte[] input) {
    int n = input.length;
    int at = n == 0 ? 0 : Math.floorMod(position, n);
    int v = Math.abs(value);
    switch (kind) {
      case FLIP_BIT: {
        if (n == 0) {
          return input.clone();
        }
        byte[] out = input.clone();
        out[at] ^= (byte) (1 << (v % 8));
        return out;
      }
      case SET_BYTE: {
        if (n == 0) {
          return input.clone();
        }
        byte[] out = input.clone();
        out[at] = (byte) v;
        return out;
      }
      case INSERT_BYTE:
        return splice(input, Math.floorMod(position, n + 1), 0, new byte[] {(byte) v});
      case DELETE_BYTE:
        return n == 0 ? input.clone() : splice(input, at, 1, new byte[0]);
      case TRUNCATE:
        return Arrays.copyOf(input, Math.floorMod(position, n + 1));
      case HOSTILE_LENGTH:
        return n == 0 ? Fuzz.zigZagVarint(hostile(v)) : splice(input, at, 1, Fuzz.zigZagVarint(hostile(v)));
      case INSERT_HOSTILE_LENGTH:
        return splice(input, Math.floorMod(position, n + 1), 0, Fuzz.zigZagVarint(hostile(v)));
      default:
        throw new AssertionError(kind);
    }
  }

  /** One random edit. */
  public static ByteMutation random(Random random) {
    Kind[] kinds = Kind.values();
    return new ByteMutation(kinds[random.nextInt(kinds.length)], random.nextInt(1 << 16), random.nextInt(256));
  }

  /** One to {@code max} random edits. */
  public static List<ByteMutation> randomList(Random random, int max) {
    List<ByteMutation> mutations = new ArrayList<>();
    int count = 1 + random.nextInt(max);
    for (int i = 0; i < count; i++) {
      mutations.add(random(random));
    }
    return mutations;
  }

  /** The input with every edit made in order. */
  public static byte[] applyAll(byte[] input, List<ByteMutation> mutations) {
    byte[] out = input;
    for (ByteMutation mutation : mutations) {
      out = mutation.applyTo(out);
    }
    return out;
  }

  private static long hostile(int index) {
    return Fuzz.HOSTILE_LENGTHS[index % Fuzz.HOSTILE_LENGTHS.length];
  }

  private static byte[] splice(byte[] input, int at, int removed, byte[] inserted) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(input.length + inserted.length);
    out.write(input, 0, at);
    out.write(inserted, 0, inserted.length);
    out.write(input, at + removed, input.length - at - removed);
    return out.toByteArray();
  }
}
