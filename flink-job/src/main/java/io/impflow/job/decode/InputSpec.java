package io.impflow.job.decode;

import io.impflow.job.config.InputEncoding;
import io.impflow.job.config.JobConfig;
import io.impflow.job.config.JobConfigException;
import io.impflow.schemas.avro.FeatureVector;
import io.impflow.schemas.serde.AvroCodec;
import io.impflow.schemas.registry.RegistrySettings;
import io.impflow.schemas.registry.SchemaRegistryClient;
import io.impflow.schemas.serde.FieldProjection;
import io.impflow.schemas.serde.PlainBinaryCodec;
import io.impflow.schemas.serde.RegistryDecoder;
import io.impflow.schemas.serde.SchemaStore;
import io.impflow.schemas.serde.SingleObjectCodec;
import java.io.Serializable;
import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificData;

/**
 * What the input topic holds: the framing, the record schema (FeatureVector or the user's own), and which fields
 * feed which model feature; serializable so that each task builds its own {@link RecordDecoder} from it.
 */
public final class InputSpec implements Serializable {
  private static final long serialVersionUID = 1L;

  private final InputEncoding encoding;
  private final String userSchemaJson;
  private final String userSchemaFile;
  private final List<String> modelFeatureNames;
  private final List<String> featureFields;
  private final String idField;
  private final String timestampField;
  private final RegistrySettings registry;

  private InputSpec(InputEncoding encoding, String userSchemaJson, String userSchemaFile,
      List<String> modelFeatureNames, List<String> featureFields, String idField, String timestampField,
      RegistrySettings registry) {
    this.encoding = encoding;
    this.userSchemaJson = userSchemaJson;
    this.userSchemaFile = userSchemaFile;
    this.modelFeatureNames = List.copyOf(modelFeatureNames);
    this.featureFields = List.copyOf(featureFields);
    this.idField = idField;
    this.timestampField = timestampField;
    this.registry = registry;
  }

  /**
   * The input described by the configuration, for a model with these feature names; checks at once that a user
   * schema supplies every feature.
   *
   * @throws JobConfigException if the schema does not parse, lacks a feature field, or maps the wrong count
   */
  public static InputSpec of(JobConfig config, List<String> modelFeatureNames) {
    List<String> fields = config.featureFields().isEmpty() ? modelFeatureNames : config.featureFields();
    if (fields.size() != modelFeatureNames.size()) {
      throw new JobConfigException("--feature-fields lists " + fields.size() + " fields " + fields + " but the model"
          + " has " + modelFeatureNames.size() + " features " + modelFeatureNames + "; give one field per feature,"
          + " in the model's order");
    }
    InputSpec spec = new InputSpec(config.inputEncoding(), config.inputSchemaJson().orElse(null),
        config.inputSchemaFile().orElse(null), modelFeatureNames, fields, config.idField().orElse(null),
        config.timestampField().orElse(null), config.registry().orElse(null));
    spec.decoder();
    return spec;
  }

  /** The model's feature names, in order. */
  public List<String> modelFeatureNames() {
    return modelFeatureNames;
  }

  /** A new decoder for this input (decoders hold Avro readers and are built per task). */
  public RecordDecoder decoder() {
    if (encoding == InputEncoding.CONFLUENT) {
      FieldProjection projection = new FieldProjection(featureFields, Optional.ofNullable(idField),
          Optional.ofNullable(timestampField));
      // SpecificData reads a FeatureVector writer as the generated class and every projection as a generic record.
      return new FramedInputDecoder(new RegistryDecoder<>(new SchemaRegistryClient(registry),
          SpecificData.getForClass(FeatureVector.class), writer -> FramedInputDecoder.readerFor(writer, projection),
          RegistryDecoder.DEFAULT_CACHE_SIZE), projection);
    }
    if (userSchemaJson == null) {
      AvroCodec<FeatureVector> codec = encoding == InputEncoding.BINARY
          ? PlainBinaryCodec.forSpecific(FeatureVector.class)
          : SingleObjectCodec.forSpecific(FeatureVector.class, SchemaStore.withGeneratedSchemas());
      return new FeatureVectorDecoder(codec);
    }
    Schema schema = userSchema();
    AvroCodec<GenericRecord> codec;
    if (encoding == InputEncoding.BINARY) {
      codec = PlainBinaryCodec.forGeneric(schema, schema);
    } else {
      codec = SingleObjectCodec.forGeneric(schema, SchemaStore.empty());
    }
    return new NamedFieldDecoder(codec, schema, featureFields, Optional.ofNullable(idField),
        Optional.ofNullable(timestampField));
  }

  private Schema userSchema() {
    try {
      return new Schema.Parser().parse(userSchemaJson);
    } catch (SchemaParseException e) {
      throw new JobConfigException("--input-schema " + userSchemaFile + " is not a valid Avro schema: "
          + e.getMessage(), e);
    }
  }
}
