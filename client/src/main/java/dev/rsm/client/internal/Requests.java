package dev.rsm.client.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rsm.actors.MachineType;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;

/** INTERNAL API. The HTTP requests of the API: their paths and the JSON of an input. */
public final class Requests {
  public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

  private Requests() {}

  /** {@code POST /machines/{type}/{id}} with {@code body}, under {@code key} when not null. */
  public static HttpRequest.Builder post(URI node, String type, String id, String key, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(machine(node, type, id))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    return key == null ? b : b.header(IDEMPOTENCY_KEY, key);
  }

  /** {@code GET /machines/{type}/{id}}. */
  public static HttpRequest.Builder get(URI node, String type, String id) {
    return HttpRequest.newBuilder(machine(node, type, id)).GET();
  }

  static URI machine(URI node, String type, String id) {
    String base = node.toString();
    return URI.create((base.endsWith("/") ? base : base + "/") + "machines/" + segment(type) + "/" + segment(id));
  }

  private static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /**
   * The body the node reads as {@code input}: its record's fields as JSON, with its input name
   * ({@link MachineType#inputName}) in {@code "type"}.
   *
   * @throws IllegalArgumentException if the input is not a JSON object or has a field named {@code type}
   */
  public static String input(MachineType<?, ?> type, Object input, ObjectMapper mapper) {
    JsonNode fields = mapper.valueToTree(input);
    if (!(fields instanceof ObjectNode object))
      throw new IllegalArgumentException(input.getClass().getName() + " is not written as a JSON object: " + fields);
    if (object.has("type"))
      throw new IllegalArgumentException(input.getClass().getName()
          + " has a field named 'type', which the HTTP API uses for the input's name");
    ObjectNode body = mapper.createObjectNode();
    body.put("type", type.inputName(input.getClass()));
    body.setAll(object);
    try {
      return mapper.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write " + input.getClass().getName() + " as JSON: "
          + e.getOriginalMessage(), e);
    }
  }
}
