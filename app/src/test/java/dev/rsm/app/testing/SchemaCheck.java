package dev.rsm.app.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Checks a JSON value against a JSON Schema of the subset the node's OpenAPI document uses:
 * {@code $ref} (local), {@code type} (one or several), {@code const}, {@code enum}, {@code
 * properties}, {@code required}, {@code additionalProperties}, {@code items}, {@code oneOf},
 * {@code anyOf}, {@code allOf}, {@code format} int32/int64, {@code minLength}, {@code maxLength},
 * {@code minimum}. Any other keyword is ignored, so a schema using one it does not know checks
 * less, never more; {@code SchemaCheckTest} shows each known keyword refusing a value.
 */
public final class SchemaCheck {
  private static final BigInteger INT32_MIN = BigInteger.valueOf(Integer.MIN_VALUE), INT32_MAX = BigInteger.valueOf(Integer.MAX_VALUE);
  private static final BigInteger INT64_MIN = BigInteger.valueOf(Long.MIN_VALUE), INT64_MAX = BigInteger.valueOf(Long.MAX_VALUE);

  private final JsonNode root;

  /** @param root the document {@code $ref}s point into */
  public SchemaCheck(JsonNode root) {
    this.root = root;
  }

  /** What is wrong with {@code value}; empty when it conforms to {@code schema}. */
  public List<String> errors(JsonNode value, JsonNode schema) {
    List<String> out = new ArrayList<>();
    check(value, schema, "$", out);
    return out;
  }

  private void check(JsonNode v, JsonNode s, String at, List<String> out) {
    if (s.isBoolean()) {
      if (!s.asBoolean()) out.add(at + ": nothing is allowed here");
      return;
    }
    if (s.has("$ref")) check(v, resolve(s.get("$ref").asText()), at, out);
    if (s.has("type") && !hasType(v, s.get("type"))) {
      out.add(at + ": " + kind(v) + " is not " + s.get("type"));
      return;
    }
    if (s.has("const") && !s.get("const").equals(v)) out.add(at + ": " + v + " is not " + s.get("const"));
    if (s.has("enum") && !contains(s.get("enum"), v)) out.add(at + ": " + v + " is not one of " + s.get("enum"));
    if (v.isTextual()) {
      int length = v.asText().codePointCount(0, v.asText().length());
      if (s.has("minLength") && length < s.get("minLength").asInt()) out.add(at + ": shorter than " + s.get("minLength"));
      if (s.has("maxLength") && length > s.get("maxLength").asInt()) out.add(at + ": longer than " + s.get("maxLength"));
    }
    if (v.isNumber()) numeric(v, s, at, out);
    if (v.isObject()) object(v, s, at, out);
    if (v.isArray() && s.has("items"))
      for (int i = 0; i < v.size(); i++) check(v.get(i), s.get("items"), at + "[" + i + "]", out);
    if (s.has("allOf")) for (JsonNode sub : s.get("allOf")) check(v, sub, at, out);
    if (s.has("anyOf") && count(v, s.get("anyOf"), at) == 0) out.add(at + ": matches none of anyOf");
    if (s.has("oneOf")) {
      int n = count(v, s.get("oneOf"), at);
      if (n != 1) out.add(at + ": matches " + n + " of oneOf, not exactly 1");
    }
  }

  private void numeric(JsonNode v, JsonNode s, String at, List<String> out) {
    String format = s.path("format").asText();
    if (v.isIntegralNumber() && (format.equals("int32") || format.equals("int64"))) {
      BigInteger n = v.bigIntegerValue();
      boolean in = format.equals("int32") ? n.compareTo(INT32_MIN) >= 0 && n.compareTo(INT32_MAX) <= 0
          : n.compareTo(INT64_MIN) >= 0 && n.compareTo(INT64_MAX) <= 0;
      if (!in) out.add(at + ": " + v + " is out of range of " + format);
    }
    if (s.has("minimum") && v.decimalValue().compareTo(s.get("minimum").decimalValue()) < 0)
      out.add(at + ": " + v + " is below " + s.get("minimum"));
  }

  private void object(JsonNode v, JsonNode s, String at, List<String> out) {
    JsonNode properties = s.path("properties");
    for (JsonNode name : s.path("required"))
      if (!v.has(name.asText())) out.add(at + ": missing property '" + name.asText() + "'");
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      if (properties.has(f.getKey())) check(f.getValue(), properties.get(f.getKey()), at + "." + f.getKey(), out);
      else if (s.has("additionalProperties")) check(f.getValue(), s.get("additionalProperties"), at + "." + f.getKey(), out);
    }
  }

  private int count(JsonNode v, JsonNode schemas, String at) {
    int n = 0;
    for (JsonNode sub : schemas) {
      List<String> errors = new ArrayList<>();
      check(v, sub, at, errors);
      if (errors.isEmpty()) n++;
    }
    return n;
  }

  /** The schema at a local reference: {@code #/components/schemas/X}. */
  public JsonNode resolve(String ref) {
    if (!ref.startsWith("#/")) throw new IllegalArgumentException("only local references: " + ref);
    JsonNode n = root.at(ref.substring(1));
    if (n.isMissingNode()) throw new IllegalArgumentException("no schema at " + ref);
    return n;
  }

  private static boolean hasType(JsonNode v, JsonNode type) {
    if (type.isArray()) {
      for (JsonNode t : type) if (hasType(v, t)) return true;
      return false;
    }
    switch (type.asText()) {
      case "object": return v.isObject();
      case "array": return v.isArray();
      case "string": return v.isTextual();
      case "integer": return v.isIntegralNumber();
      case "number": return v.isNumber();
      case "boolean": return v.isBoolean();
      case "null": return v.isNull();
      default: throw new IllegalArgumentException("unknown type " + type);
    }
  }

  private static boolean contains(JsonNode values, JsonNode v) {
    for (JsonNode e : values) if (e.equals(v)) return true;
    return false;
  }

  private static String kind(JsonNode v) {
    return v.isNull() ? "null" : v.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " " + v;
  }
}
