package io.impflow.schemas.registry;

/** Raised when the registry holds a schema under an id that this reader cannot use (not Avro, references). */
public class UnusableSchemaException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The reason, naming the schema id. */
  public UnusableSchemaException(String message) {
    super(message);
  }
}
