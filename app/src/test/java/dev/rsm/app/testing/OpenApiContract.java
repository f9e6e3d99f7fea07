package dev.rsm.app.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.rsm.app.testing.Http.Exchange;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A node's served OpenAPI document ({@code GET /openapi.json}), as a check of real exchanges:
 * each request is inside the contract or refused, and each response is one the contract lists,
 * with its body's schema and its required headers.
 *
 * <p>A request the contract excludes (a body outside the schema, a parameter out of bounds) must
 * be refused with 400 or 413 (404 for a path it does not list); one it allows may still get 400
 * for what a schema cannot say (an id with whitespace, an input that cannot be journaled). A 2xx
 * always answers a request inside the contract.
 */
public final class OpenApiContract {
  private static final ObjectMapper M = new ObjectMapper();

  private final JsonNode doc;
  private final SchemaCheck schemas;

  public OpenApiContract(JsonNode doc) {
    this.doc = doc;
    this.schemas = new SchemaCheck(doc);
  }

  /** The document the node on {@code port} serves. */
  public static OpenApiContract fetch(int port) {
    var r = Http.get(port, "/openapi.json");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
    return new OpenApiContract(parse(r.body()));
  }

  public JsonNode document() {
    return doc;
  }

  /**
   * Every exchange with the node on {@code port} conforms: fails with all violations of all of
   * them, else returns how many were checked.
   */
  public static int assertConforms(int port, List<Exchange> exchanges) {
    return fetch(port).assertConforms(exchanges.stream().filter(e -> e.port() == port).toList());
  }

  /** Every exchange conforms: fails with all violations of all of them, else returns how many were checked. */
  public int assertConforms(List<Exchange> exchanges) {
    List<String> all = new ArrayList<>();
    for (Exchange e : exchanges)
      for (String v : violations(e)) all.add(e.method() + " " + e.path() + " -> " + e.status() + ": " + v);
    assertEquals(List.of(), all, "exchanges outside the OpenAPI contract");
    return exchanges.size();
  }

  /** What in {@code e} the contract does not allow; empty when it conforms. */
  public List<String> violations(Exchange e) {
    List<String> out = new ArrayList<>();
    JsonNode item = pathItem(e.path());
    if (item == null) {
      if (e.status() != 404) out.add("no path of the contract matches, yet the status is " + e.status());
      else response(e, component("404"), out);
      return out;
    }
    JsonNode op = item.get(e.method().toLowerCase(java.util.Locale.ROOT));
    if (op == null) {
      if (e.status() != 405) out.add("the contract has no " + e.method() + " here, yet the status is " + e.status());
      else response(e, component("405"), out);
      return out;
    }
    boolean inside = request(e, item, op);
    if (e.status() / 100 == 2 && !inside) out.add("a request outside the contract was accepted");
    else if (!inside && e.status() != 400 && e.status() != 413)
      out.add("a request outside the contract got " + e.status() + ", not 400 or 413");
    JsonNode response = op.path("responses").get(Integer.toString(e.status()));
    if (response == null) out.add("status " + e.status() + " is not listed");
    else response(e, deref(response), out);
    return out;
  }

  /** Whether the request is inside the contract: path parameters, headers and body. */
  private boolean request(Exchange e, JsonNode item, JsonNode op) {
    List<JsonNode> parameters = new ArrayList<>();
    item.path("parameters").forEach(parameters::add);
    op.path("parameters").forEach(parameters::add);
    String[] segments = e.path().split("/");
    for (JsonNode p : parameters) {
      String value = null;
      if (p.path("in").asText().equals("path"))
        value = java.net.URLDecoder.decode(segments[segments.length - 1].replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
      else if (p.path("in").asText().equals("header")) value = e.requestHeader(p.path("name").asText()).orElse(null);
      if (value == null) {
        if (p.path("required").asBoolean()) return false;
      } else if (!schemas.errors(TextNode.valueOf(value), p.path("schema")).isEmpty()) return false;
    }
    JsonNode body = op.path("requestBody");
    if (body.isMissingNode()) return true;
    JsonNode json = tryParse(e.requestBody());
    return json != null && schemas.errors(json, body.at("/content/application~1json/schema")).isEmpty();
  }

  private void response(Exchange e, JsonNode response, List<String> out) {
    for (Iterator<Map.Entry<String, JsonNode>> it = response.path("headers").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> h = it.next();
      String value = e.responseHeader(h.getKey()).orElse(null);
      if (value == null) {
        if (h.getValue().path("required").asBoolean()) out.add("header " + h.getKey() + " is missing");
        continue;
      }
      JsonNode schema = h.getValue().path("schema");
      JsonNode typed = schema.path("type").asText().equals("integer") && value.matches("-?\\d{1,18}")
          ? LongNode.valueOf(Long.parseLong(value)) : TextNode.valueOf(value);
      for (String error : schemas.errors(typed, schema)) out.add("header " + h.getKey() + ": " + error);
    }
    JsonNode media = response.path("content").path("application/json");
    if (media.isMissingNode()) {
      if (!e.responseBody().isEmpty()) out.add("a body where the contract has none: " + e.responseBody());
      return;
    }
    String type = e.responseHeader("Content-Type").orElse("");
    if (!type.equals("application/json")) out.add("Content-Type " + type + ", not application/json");
    JsonNode json = tryParse(e.responseBody());
    if (json == null) out.add("the body is not JSON: " + e.responseBody());
    else for (String error : schemas.errors(json, media.path("schema"))) out.add("body " + error + " in " + e.responseBody());
  }

  private JsonNode pathItem(String path) {
    for (Iterator<Map.Entry<String, JsonNode>> it = doc.path("paths").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> p = it.next();
      String regex = Pattern.quote(p.getKey()).replaceAll("\\{[^}]+}", "\\\\E[^/]+\\\\Q");
      if (path.matches(regex)) return p.getValue();
    }
    return null;
  }

  private JsonNode component(String status) {
    return doc.path("components").path("responses").path(status);
  }

  private JsonNode deref(JsonNode n) {
    return n.has("$ref") ? schemas.resolve(n.get("$ref").asText()) : n;
  }

  private static JsonNode tryParse(String s) {
    if (s == null) return null;
    try {
      return M.readTree(s);
    } catch (IOException e) {
      return null;
    }
  }

  private static JsonNode parse(String s) {
    JsonNode n = tryParse(s);
    if (n == null) throw new AssertionError("not JSON: " + s);
    return n;
  }
}
