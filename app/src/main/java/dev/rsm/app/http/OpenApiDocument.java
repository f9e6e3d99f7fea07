package dev.rsm.app.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rsm.actors.MachineType;
import dev.rsm.app.http.JsonSchemas.Mode;
import dev.rsm.persistence.IngressResult;
import dev.rsm.persistence.MachineRegistry;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The OpenAPI 3.1 contract of {@link MachineRoutes}, generated from the machine types a node
 * hosts, so that it cannot drift from them: a client generator or a reader sees exactly the inputs
 * the node accepts.
 *
 * <p>Each machine type gets the path {@code /machines/<type>/{id}}. Its {@code POST} body is one
 * of the type's inputs: an object whose {@code "type"} is the input's name and whose other
 * properties are the input record's components, all required, nothing else allowed. Its {@code
 * GET} answers the machine's view with the state record's schema. Replies are not typed in Java
 * (a step replies with any value), so a {@code 200} of a {@code POST} is described as any JSON
 * value; {@link MachineType#withValueTypes} declares classes a node may deserialize, not what a
 * step replies, so it does not narrow that. The error responses are the ones the ingress writes,
 * with their headers.
 */
public final class OpenApiDocument {
  private static final String ERROR = "#/components/schemas/Error";

  private OpenApiDocument() {}

  /**
   * The contract of a node hosting {@code registry}'s types.
   *
   * @param version the version of the software (the document's {@code info.version})
   * @param bearerAuth whether the ingress requires a bearer token ({@code rsm.http.auth})
   */
  public static ObjectNode of(MachineRegistry registry, String version, boolean bearerAuth) {
    ObjectNode doc = Json.MAPPER.createObjectNode();
    doc.put("openapi", "3.1.0");
    doc.putObject("info")
        .put("title", "RSM machines: " + registry.types().stream().map(MachineType::name).collect(Collectors.joining(", ")))
        .put("version", version)
        .put("description", "Send inputs to reliable state machines and read their state (docs/http-api.md).");
    JsonSchemas schemas = new JsonSchemas();
    ObjectNode paths = doc.putObject("paths");
    for (MachineType<?, ?> type : registry.types()) paths.set("/machines/" + type.name() + "/{id}", path(type, schemas));
    ObjectNode components = doc.putObject("components");
    ObjectNode all = components.putObject("schemas");
    all.setAll(errorSchemas());
    all.setAll(schemas.components());
    components.set("responses", ErrorResponses.all());
    if (bearerAuth) {
      components.putObject("securitySchemes").putObject("bearer").put("type", "http").put("scheme", "bearer");
      doc.putArray("security").addObject().putArray("bearer");
      paths.forEach(item -> item.fields().forEachRemaining(op -> {
        if (op.getValue().has("responses"))
          ((ObjectNode) op.getValue().get("responses")).putObject("401").put("$ref", "#/components/responses/401");
      }));
    }
    return doc;
  }

  private static ObjectNode path(MachineType<?, ?> type, JsonSchemas schemas) {
    ObjectNode item = Json.MAPPER.createObjectNode();
    item.putArray("parameters").addObject()
        .put("name", "id").put("in", "path").put("required", true)
        .put("description", "The machine's id: 1 to 180 characters, without whitespace, control characters, "
            + "unpaired surrogates or U+FFFD")
        .putObject("schema").put("type", "string").put("minLength", 1).put("maxLength", 180);
    item.set("post", post(type, schemas));
    item.set("get", get(type, schemas));
    return item;
  }

  private static ObjectNode post(MachineType<?, ?> type, JsonSchemas schemas) {
    ObjectNode op = Json.MAPPER.createObjectNode();
    op.put("operationId", camel("send", type.name())).put("summary", "Send an input to a " + type.name());
    op.putArray("tags").add(type.name());
    op.putArray("parameters").addObject()
        .put("name", MachineRoutes.IDEMPOTENCY_KEY).put("in", "header").put("required", false)
        .put("description", "Handles the input once per key: a repeated request with the same key and input "
            + "answers the recorded reply; with another input, 422")
        .putObject("schema").put("type", "string").put("minLength", 1).put("maxLength", 255);
    ArrayNode oneOf = Json.MAPPER.createArrayNode();
    for (Map.Entry<String, ? extends Class<?>> input : type.inputsByName().entrySet()) {
      ObjectNode name = Json.MAPPER.createObjectNode().put("type", "string").put("const", input.getKey());
      oneOf.add(schemas.inputRef(type.name(), input.getValue(), "type", name));
    }
    ObjectNode body = op.putObject("requestBody").put("required", true);
    body.put("description", "One of the inputs of " + type.name() + ", its name in \"type\"");
    body.putObject("content").putObject("application/json").putObject("schema").set("oneOf", oneOf);
    ObjectNode responses = op.putObject("responses");
    ObjectNode ok = responses.putObject("200").put("description",
        "The step's reply, any JSON value: replies are not typed per machine type");
    ok.putObject("headers").putObject(MachineRoutes.REPLAYED)
        .put("description", "Present when this is the recorded reply to a repeated Idempotency-Key")
        .putObject("schema").put("type", "string").putArray("enum").add("true");
    ok.putObject("content").putObject("application/json").putObject("schema");
    for (String status : new String[] {"400", "404", "405", "413", "422", "429", "500", "503"})
      responses.putObject(status).put("$ref", "#/components/responses/" + status);
    return op;
  }

  private static ObjectNode get(MachineType<?, ?> type, JsonSchemas schemas) {
    ObjectNode op = Json.MAPPER.createObjectNode();
    op.put("operationId", camel("read", type.name())).put("summary", "Read a " + type.name() + "'s state");
    op.putArray("tags").add(type.name());
    ObjectNode view = Json.MAPPER.createObjectNode().put("type", "object");
    ObjectNode p = view.putObject("properties");
    p.putObject("type").put("type", "string").put("const", type.name());
    p.putObject("id").put("type", "string");
    p.set("state", schemas.nonNull(type.name(), type.stateType(), Mode.OUTPUT));
    p.putObject("seqNr").put("type", "integer").put("format", "int64")
        .put("description", "The number of steps taken; 0 for a machine that never took one");
    p.putObject("unackedOutputs").put("type", "integer").put("format", "int32")
        .put("description", "Inputs sent to other machines and not yet acknowledged");
    p.putObject("armedTimers").put("type", "integer").put("format", "int32");
    ArrayNode required = view.putArray("required");
    p.fieldNames().forEachRemaining(required::add);
    ObjectNode responses = op.putObject("responses");
    responses.putObject("200").put("description", "The machine's state (its initial state if it never took a step)")
        .putObject("content").putObject("application/json").set("schema", view);
    for (String status : new String[] {"400", "404", "503"})
      responses.putObject(status).put("$ref", "#/components/responses/" + status);
    return op;
  }

  private static ObjectNode errorSchemas() {
    ObjectNode s = Json.MAPPER.createObjectNode();
    ObjectNode error = s.putObject("Error").put("type", "object")
        .put("description", "What is wrong, for the caller to act on: no class names or exception texts");
    ObjectNode p = error.putObject("properties");
    p.putObject("error").put("type", "string");
    ArrayNode reasons = p.putObject("reason").put("type", "string")
        .put("description", "Why a machine refused (503 only); see docs/http-api.md").putArray("enum");
    for (IngressResult.Unavailable.Reason r : IngressResult.Unavailable.Reason.values())
      reasons.add(MachineRoutes.reasonName(r));
    p.putObject("errorId").put("type", "string")
        .put("description", "Where the node's log has the details (500 only)");
    error.putArray("required").add("error");
    ObjectNode failure = s.putObject("HandlerFailure").put("type", "object");
    failure.putArray("allOf").addObject().put("$ref", ERROR);
    failure.putArray("required").add("error").add("errorId");
    return s;
  }

  /** {@code sendOrderLine} for ("send", "order-line"). */
  private static String camel(String verb, String typeName) {
    StringBuilder b = new StringBuilder(verb);
    for (String part : typeName.split("-"))
      if (!part.isEmpty()) b.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
    return b.toString();
  }
}
