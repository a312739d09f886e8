package io.impflow.schemas.serde;

import io.impflow.schemas.avro.DeadLetterReason;
import io.impflow.schemas.registry.RegistryUnavailableException;
import io.impflow.schemas.registry.SchemaRegistryClient;
import io.impflow.schemas.registry.UnusableSchemaException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.io.DatumReader;

/**
 * Decodes schema-registry framed messages ({@link ConfluentFraming}): the writer schema is fetched once per id and
 * resolved, by Avro's schema resolution, to the reader schema the caller derives from it (typically a projection
 * onto the fields it needs, so the rest of the body is skipped, not materialized). The datum reader is built once
 * per writer id and kept in a bounded cache, as is an id's failure (unknown or unusable), so that a flood of bad
 * records costs no registry calls. One instance per thread (a Flink task, a trainer read).
 *
 * @param <D> the decoded record type
 */
public final class RegistryDecoder<D> {
  /** Writer schema ids remembered at most; topics rarely hold more than a few versions. */
  public static final int DEFAULT_CACHE_SIZE = 1000;

  private final SchemaRegistryClient registry;
  private final GenericData model;
  private final Function<Schema, Schema> readerFor;
  private final Map<Integer, Resolution<D>> resolutions;
  /** The last id decoded and its resolution: a topic's records mostly share one id, so most records skip the map. */
  private int lastId;
  private Resolution<D> last;

  /**
   * A decoder reading through {@code registry}.
   *
   * @param readerFor the reader schema for a writer schema; may throw {@link AvroDecodeException} when the writer
   *     schema cannot serve the caller (every record of that id then becomes that dead letter)
   */
  public RegistryDecoder(SchemaRegistryClient registry, GenericData model, Function<Schema, Schema> readerFor,
      int cacheSize) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.model = Objects.requireNonNull(model, "model");
    this.readerFor = Objects.requireNonNull(readerFor, "readerFor");
    this.resolutions = new LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<Integer, Resolution<D>> eldest) {
        return size() > cacheSize;
      }
    };
  }

  /**
   * The record the framed message holds, in the reader schema derived from its writer schema.
   *
   * @throws AvroDecodeException MALFORMED_AVRO for bad framing or body, UNKNOWN_SCHEMA for an id the registry does
   *     not know (or holds an unusable schema under), or the reason {@code readerFor} gave
   * @throws RegistryUnavailableException if the id is not cached and no registry answered within the wait
   */
  public D decode(byte[] message) {
    int id = ConfluentFraming.schemaId(message);
    Resolution<D> resolution = last != null && id == lastId ? last : resolutions.get(id);
    if (resolution == null) {
      resolution = resolve(id);
      resolutions.put(id, resolution);
    }
    lastId = id;
    last = resolution;
    if (resolution.failure() != null) {
      throw resolution.failure();
    }
    return AvroBody.read(resolution.reader(), resolution.writer(), message, ConfluentFraming.HEADER_LENGTH);
  }

  private Resolution<D> resolve(int id) {
    Schema writer;
    try {
      writer = registry.schemaById(id).orElse(null);
    } catch (UnusableSchemaException e) {
      return Resolution.failed(new AvroDecodeException(DeadLetterReason.UNKNOWN_SCHEMA, e.getMessage()));
    }
    if (writer == null) {
      return Resolution.failed(new AvroDecodeException(DeadLetterReason.UNKNOWN_SCHEMA, "unknown schema id " + id
          + ": the schema registry has no schema with this id (HTTP 404); the producer wrote to another registry,"
          + " or the schema was deleted"));
    }
    Schema reader;
    try {
      reader = readerFor.apply(writer);
    } catch (AvroDecodeException e) {
      return Resolution.failed(new AvroDecodeException(e.reason(), "schema id " + id + " ("
          + writer.getFullName() + "): " + e.getMessage()));
    }
    String incompatibility = SchemaResolution.incompatibility(writer, reader);
    if (incompatibility != null) {
      return Resolution.failed(new AvroDecodeException(DeadLetterReason.UNKNOWN_SCHEMA, "schema id " + id + " ("
          + writer.getFullName() + ") cannot be read as " + reader.getFullName() + ": " + incompatibility));
    }
    @SuppressWarnings("unchecked")
    DatumReader<D> datumReader = (DatumReader<D>) model.createDatumReader(writer, reader);
    return new Resolution<>(writer, datumReader, null);
  }

  /** A writer schema and the reader resolving it, or the failure every record of its id gets. */
  private record Resolution<D>(Schema writer, DatumReader<D> reader, AvroDecodeException failure) {
    static <D> Resolution<D> failed(AvroDecodeException failure) {
      return new Resolution<>(null, null, failure);
    }
  }
}
