package io.impflow.schemas.serde;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.apache.avro.Schema;

/** Schemas kept in the test resources under {@code /schemas}. */
final class SchemaResources {
  private SchemaResources() {}

  static Schema load(String fileName) {
    try (InputStream in = SchemaResources.class.getResourceAsStream("/schemas/" + fileName)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource /schemas/" + fileName);
      }
      return new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
