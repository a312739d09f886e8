/** Avro SpecificRecord classes generated from the project's schemas in {@code src/main/avro}. */
package io.impflow.schemas.avro;
