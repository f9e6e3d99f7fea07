package dev.rsm.app.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;

/**
 * JSON for the HTTP ingress. Strict on the way in, so a typo or a value of the wrong type is a 400
 * rather than a silently defaulted or converted field: unknown properties, missing record
 * components and nulls fail, and no scalar is coerced into another type (2.9 is not
 * an integer 2, "5" is not a number, 1 is not {@code true}, "" is not null).
 */
final class Json {
  static final ObjectMapper MAPPER = strict(JsonMapper.builder()
      .findAndAddModules()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      .build());

  private static ObjectMapper strict(ObjectMapper m) {
    // Every coercion between JSON shapes fails, for every target type: only a JSON number reads
    // as a number, a string as a string, true/false as a boolean.
    m.coercionConfigDefaults()
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.EmptyArray, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.EmptyObject, CoercionAction.Fail);
    // ... except each shape into the types it is: a number into a number, a string into text.
    for (LogicalType t : new LogicalType[] {LogicalType.Integer, LogicalType.Float})
      m.coercionConfigFor(t).setCoercion(CoercionInputShape.Integer, CoercionAction.TryConvert);
    m.coercionConfigFor(LogicalType.Float).setCoercion(CoercionInputShape.Float, CoercionAction.TryConvert);
    m.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.String, CoercionAction.TryConvert)
        .setCoercion(CoercionInputShape.EmptyString, CoercionAction.TryConvert);
    m.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Boolean, CoercionAction.TryConvert);
    return m;
  }

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

  /** An error with one more text field, left out when {@code value} is null. */
  static byte[] error(String message, String field, String value) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("error", message);
    if (value != null) n.put(field, value);
    return write(n);
  }

  /** An error whose details are in the node's log under {@code errorId}. */
  static byte[] error(String message, String errorId) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("error", message);
    n.put("errorId", errorId);
    return write(n);
  }

  // A Java class name as Jackson quotes it: `java.lang.Long`, `dev.rsm.app.sample.Account$Deposit`.
  private static final java.util.regex.Pattern CLASS_NAME =
      java.util.regex.Pattern.compile("`(?:[a-zA-Z_][\\w]*\\.)+(?:[\\w]+\\$)*([\\w]+)`");

  // Jackson's "(class dev.rsm.app.sample.Account$Transfer)" and any other qualified name left.
  private static final java.util.regex.Pattern CLASS_NOTE =
      java.util.regex.Pattern.compile("\\s*\\(class [\\w.$]+\\)");
  private static final java.util.regex.Pattern QUALIFIED =
      java.util.regex.Pattern.compile("\\b(?:[a-z_][\\w]*\\.){2,}(?:[\\w]+\\$)*([A-Z][\\w]*)");

  // The parser's own settings, which a caller cannot change: "(1000, from
  // `StreamReadConstraints.getMaxNestingDepth()`)", "; `DeserializationFeature.X` enabled",
  // "(but could if coercion was enabled using `CoercionConfig`)".
  private static final java.util.regex.Pattern SETTING = java.util.regex.Pattern.compile(
      ",\\s*from\\s*`[^`]*`|;\\s*`[^`]*`\\s*enabled|\\s*\\(but could if [^)]*\\)");

  /** A parser's message without Java class names, packages or its own settings' names. */
  static String withoutClassNames(String message) {
    if (message == null) return "";
    String m = SETTING.matcher(message).replaceAll("");
    m = CLASS_NAME.matcher(m).replaceAll("`$1`");
    m = CLASS_NOTE.matcher(m).replaceAll("");
    return QUALIFIED.matcher(m).replaceAll("$1");
  }
}
