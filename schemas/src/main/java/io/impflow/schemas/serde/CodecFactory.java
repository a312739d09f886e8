package io.impflow.schemas.serde;

import java.io.Serializable;
import java.util.Map;

/** Builds the codec a serde adapter delegates to, once its record class and client configuration are known. */
@FunctionalInterface
interface CodecFactory<T> extends Serializable {
  AvroCodec<T> create(Class<T> recordClass, Map<String, ?> configs);
}
