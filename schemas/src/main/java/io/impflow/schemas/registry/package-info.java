/**
 * Schema-registry framing (Confluent wire format: 0x00, a 4-byte schema id, the Avro body): a small client of the
 * registry REST API that every Confluent-compatible registry serves, its settings, and the per-id schema cache.
 */
package io.impflow.schemas.registry;
