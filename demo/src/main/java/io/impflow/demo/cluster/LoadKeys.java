package io.impflow.demo.cluster;

import io.impflow.demo.MalformedKind;

/**
 * The Kafka keys of the records {@code produce} writes, which tell {@code verify} what each record must become:
 * {@code e<n>} is a valid row that must be scored with id {@code e<n>}, {@code m<n>-<KIND>} a malformed record that
 * must be dead-lettered with the reason of {@link MalformedKind} {@code KIND}.
 */
final class LoadKeys {
  private static final String VALID = "e";
  private static final String MALFORMED = "m";

  private LoadKeys() {
  }

  static String valid(int index) {
    return VALID + index;
  }

  static String malformed(int index, MalformedKind kind) {
    return MALFORMED + index + "-" + kind.name();
  }

  /** The kind of a malformed record's key, null for a valid one. */
  static MalformedKind kindOf(String key) {
    if (key.startsWith(VALID)) {
      return null;
    }
    int dash = key.indexOf('-');
    if (!key.startsWith(MALFORMED) || dash < 0) {
      throw new IllegalArgumentException("key '" + key + "' was not written by produce (e<n> or m<n>-<KIND>)");
    }
    return MalformedKind.valueOf(key.substring(dash + 1));
  }
}
