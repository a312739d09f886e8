package io.impflow.schemas.serde;

import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/** Whether data written with one schema can be read with another, said in words fit for an error message. */
final class SchemaResolution {
  private SchemaResolution() {}

  /** Why the writer schema cannot be read as the reader schema, or {@code null} when it can. */
  static String incompatibility(Schema writer, Schema reader) {
    SchemaPairCompatibility compatibility = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    if (compatibility.getType() == SchemaCompatibilityType.COMPATIBLE) {
      return null;
    }
    return compatibility.getResult().getIncompatibilities().stream()
        .map(i -> i.getType() + " at " + i.getLocation() + " (" + i.getMessage() + ")")
        .collect(Collectors.joining("; "));
  }

  /** A schema's full name and fingerprint, e.g. {@code io.impflow.schemas.avro.FeatureVector (0x…)}. */
  static String describe(Schema schema) {
    return schema.getFullName() + " (" + SchemaStore.hex(SchemaStore.fingerprint(schema)) + ")";
  }
}
