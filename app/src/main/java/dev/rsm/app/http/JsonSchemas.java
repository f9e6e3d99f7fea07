package dev.rsm.app.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * JSON Schemas (the dialect of OpenAPI 3.1) of the Java types the ingress reads and writes with
 * {@link Json}, collected as named component schemas.
 *
 * <p>A record is an object with its components as properties, all required, and a component
 * schema of its own named {@code <machine type>.<Record>} (its simple name; a number is appended if two
 * records of a type share it). The same record is described twice
 * when it is both read and written, because the two differ: an input ({@link Mode#INPUT}) refuses
 * nulls and unknown fields ({@link Json} is strict), while a written value ({@link Mode#OUTPUT},
 * a machine's state) may hold null in any field that is not a primitive. Types the mapping does
 * not know (interfaces, {@code Object}, {@code java.time} values) get the permissive schema {@code
 * {}}: a contract that says less is better than one that says something false.
 */
final class JsonSchemas {
  /** Whether a schema describes what the ingress reads or what it writes. */
  enum Mode { INPUT, OUTPUT }

  private final ObjectNode components = Json.MAPPER.createObjectNode();
  private final Map<Class<?>, Map<Mode, String>> names = new HashMap<>();
  private final Map<String, Class<?>> taken = new LinkedHashMap<>();

  /** The component schemas named so far, by name. */
  ObjectNode components() {
    return components;
  }

  /**
   * A reference to the component schema of {@code record}, defined now if it is new.
   *
   * @param prefix the machine type's name, which the component's name starts with
   */
  ObjectNode ref(String prefix, Class<?> record, Mode mode) {
    return refTo(componentFor(prefix, record, mode, null));
  }

  /** The same, for an input record: its properties are preceded by {@code extra} (the "type"). */
  ObjectNode inputRef(String prefix, Class<?> record, String name, JsonNode typeProperty) {
    return refTo(componentFor(prefix, record, Mode.INPUT, Map.entry(name, typeProperty)));
  }

  private String componentFor(String prefix, Class<?> record, Mode mode, Map.Entry<String, JsonNode> extra) {
    String known = names.computeIfAbsent(record, r -> new HashMap<>()).get(mode);
    if (known != null) return known;
    String name = uniqueName(prefix + "." + record.getSimpleName(), record, mode);
    names.get(record).put(mode, name);
    ObjectNode schema = components.putObject(name); // before the fields: a record may refer to itself
    schema.put("type", "object");
    ObjectNode properties = schema.putObject("properties");
    ArrayNode required = schema.putArray("required");
    if (extra != null) {
      properties.set(extra.getKey(), extra.getValue());
      required.add(extra.getKey());
    }
    for (RecordComponent c : record.getRecordComponents()) {
      properties.set(c.getName(), of(prefix, c.getGenericType(), mode));
      required.add(c.getName());
    }
    if (mode == Mode.INPUT) schema.put("additionalProperties", false);
    return name;
  }

  /** The schema of a value of {@code type}; null is allowed in {@link Mode#OUTPUT} unless primitive. */
  ObjectNode of(String prefix, Type type, Mode mode) {
    ObjectNode s = nonNull(prefix, type, mode);
    boolean primitive = type instanceof Class<?> c && c.isPrimitive();
    return mode == Mode.OUTPUT && !primitive ? nullable(s) : s;
  }

  /** The schema of a value of {@code type} that is never null. */
  ObjectNode nonNull(String prefix, Type type, Mode mode) {
    Class<?> raw = raw(type);
    if (raw == String.class || raw == Character.class || raw == char.class || CharSequence.class.isAssignableFrom(raw))
      return typed("string");
    if (raw == UUID.class) return typed("string").put("format", "uuid");
    if (raw == int.class || raw == Integer.class || raw == short.class || raw == Short.class
        || raw == byte.class || raw == Byte.class) return typed("integer").put("format", "int32");
    if (raw == long.class || raw == Long.class) return typed("integer").put("format", "int64");
    if (raw == BigInteger.class) return typed("integer");
    if (raw == double.class || raw == Double.class) return typed("number").put("format", "double");
    if (raw == float.class || raw == Float.class) return typed("number").put("format", "float");
    if (raw == BigDecimal.class) return typed("number");
    if (raw == boolean.class || raw == Boolean.class) return typed("boolean");
    if (raw == byte[].class) return typed("string").put("contentEncoding", "base64");
    if (raw.isEnum()) {
      ObjectNode s = typed("string");
      ArrayNode values = s.putArray("enum");
      for (Object constant : raw.getEnumConstants()) values.add(((Enum<?>) constant).name());
      return s;
    }
    if (raw.isArray() || Collection.class.isAssignableFrom(raw)) {
      ObjectNode s = typed("array");
      s.set("items", of(prefix, elementType(type), mode));
      return s;
    }
    if (Map.class.isAssignableFrom(raw)) {
      ObjectNode s = typed("object");
      s.set("additionalProperties", of(prefix, typeArgument(type, 1), mode));
      return s;
    }
    if (raw == Optional.class) return of(prefix, typeArgument(type, 0), Mode.OUTPUT);
    if (raw.isRecord()) return ref(prefix, raw, mode);
    return Json.MAPPER.createObjectNode(); // anything: Object, an interface, a java.time value
  }

  /** {@code schema} or null. */
  private static ObjectNode nullable(ObjectNode schema) {
    if (schema.isEmpty() || schema.has("anyOf")) return schema;
    JsonNode type = schema.get("type");
    if (type != null && type.isTextual()) {
      ArrayNode types = Json.MAPPER.createArrayNode().add(type.asText()).add("null");
      ObjectNode s = schema.deepCopy();
      s.set("type", types);
      if (s.has("enum")) ((ArrayNode) s.get("enum")).addNull();
      return s;
    }
    ObjectNode s = Json.MAPPER.createObjectNode();
    s.putArray("anyOf").add(schema).add(typed("null"));
    return s;
  }

  private String uniqueName(String base, Class<?> record, Mode mode) {
    String name = base;
    Class<?> holder = taken.get(name);
    if (holder != null) name = holder == record ? base + (mode == Mode.INPUT ? ".Input" : ".Output") : base + "." + taken.size();
    taken.put(name, record);
    return name;
  }

  private static ObjectNode refTo(String component) {
    return Json.MAPPER.createObjectNode().put("$ref", "#/components/schemas/" + component);
  }

  private static ObjectNode typed(String type) {
    return Json.MAPPER.createObjectNode().put("type", type);
  }

  private static Class<?> raw(Type t) {
    if (t instanceof Class<?> c) return c;
    if (t instanceof ParameterizedType p) return raw(p.getRawType());
    if (t instanceof GenericArrayType a) return java.lang.reflect.Array.newInstance(raw(a.getGenericComponentType()), 0).getClass();
    if (t instanceof WildcardType w) return raw(w.getUpperBounds()[0]);
    return Object.class; // a type variable
  }

  private static Type elementType(Type t) {
    if (t instanceof Class<?> c && c.isArray()) return c.getComponentType();
    if (t instanceof GenericArrayType a) return a.getGenericComponentType();
    return typeArgument(t, 0);
  }

  private static Type typeArgument(Type t, int i) {
    if (t instanceof ParameterizedType p && p.getActualTypeArguments().length > i) return p.getActualTypeArguments()[i];
    return Object.class;
  }
}
