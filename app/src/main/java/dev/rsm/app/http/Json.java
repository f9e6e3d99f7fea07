package dev.rsm.app.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;

/**
 * JSON for the HTTP ingress. Strict on the way in, so a typo is a 400 rather than a silently
 * defaulted field: unknown properties, missing record components and nulls for primitives fail.
 */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper()
      .findAndRegisterModules()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private Json() {}

  static byte[] write(Object o) {
    try {
      return MAPPER.writeValueAsBytes(o);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] error(String message) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("error", message);
    return write(n);
  }
}
