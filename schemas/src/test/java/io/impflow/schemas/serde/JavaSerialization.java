package io.impflow.schemas.serde;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;

/** Copies an object through Java serialization, as Flink ships schemas to its tasks with the job graph. */
final class JavaSerialization {
  private JavaSerialization() {}

  @SuppressWarnings("unchecked")
  static <S> S copy(S value) {
    try {
      ByteArrayOutputStream buffer = new ByteArrayOutputStream();
      try (ObjectOutputStream out = new ObjectOutputStream(buffer)) {
        out.writeObject(value);
      }
      try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(buffer.toByteArray()))) {
        return (S) in.readObject();
      }
    } catch (IOException | ClassNotFoundException e) {
      throw new AssertionError(value.getClass().getName() + " did not survive Java serialization", e);
    }
  }
}
