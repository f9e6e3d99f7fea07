package dev.rsm.app.http;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The error responses of {@link MachineRoutes} as OpenAPI response objects, by status: what each
 * means, its body schema and the headers it carries ({@code Retry-After} on 429 and 503).
 */
final class ErrorResponses {
  private ErrorResponses() {}

  static ObjectNode all() {
    ObjectNode r = Json.MAPPER.createObjectNode();
    error(r, "400", "Malformed JSON, a missing or unknown input \"type\", a missing, extra or mistyped field, "
        + "an invalid Idempotency-Key or machine id, or an input that cannot be journaled. Nothing is journaled", "Error");
    r.putObject("401").put("description", "No or a wrong bearer token (rsm.http.auth): an empty body")
        .putObject("headers").putObject("WWW-Authenticate").put("required", true)
        .putObject("schema").put("type", "string").put("const", "Bearer");
    error(r, "404", "Unknown machine type or path", "Error");
    error(r, "405", "Another method than GET or POST", "Error");
    error(r, "413", "The body is over rsm.http.max-body", "Error");
    error(r, "422", "The Idempotency-Key was used before with a different input; nothing handled", "Error");
    retryAfter(error(r, "429", "A new Idempotency-Key while the machine remembers as many unexpired keys as it may; "
        + "nothing handled", "Error"), "Seconds until the oldest key expires");
    error(r, "500", "The handler threw: nothing journaled, state unchanged; the node's log has the exception under errorId",
        "HandlerFailure");
    retryAfter(error(r, "503", "The machine or its journal did not answer in time, or the machine refused (reason); "
        + "retry with the same Idempotency-Key", "Error"), "Seconds to wait before retrying");
    return r;
  }

  private static ObjectNode error(ObjectNode responses, String status, String description, String schema) {
    ObjectNode response = responses.putObject(status).put("description", description);
    response.putObject("content").putObject("application/json").putObject("schema")
        .put("$ref", "#/components/schemas/" + schema);
    return response;
  }

  private static void retryAfter(ObjectNode response, String description) {
    response.putObject("headers").putObject("Retry-After").put("description", description).put("required", true)
        .putObject("schema").put("type", "integer").put("minimum", 0);
  }
}
