package dev.rsm.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rsm.client.internal.Calls;
import dev.rsm.client.internal.Requests;
import dev.rsm.client.internal.Responses;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * One machine, its inputs and state as JSON ({@link RsmClient#machine(String, String)}): the same
 * requests, retries and typed errors as {@link MachineClient}, for callers that do not have the
 * machine's classes.
 */
public final class JsonMachineClient {
  private final Calls calls;
  private final ObjectMapper mapper;
  private final String type;
  private final String id;

  JsonMachineClient(Calls calls, ObjectMapper mapper, String type, String id) {
    this.calls = calls;
    this.mapper = mapper;
    this.type = type;
    this.id = id;
  }

  /**
   * Sends {@code input} under {@code key} (null: none, and no retry) and returns the reply.
   *
   * @param input the input as the HTTP API takes it: its fields, and its name in {@code "type"}
   *     ({@code {"type": "deposit", "amount": 100}})
   * @throws IllegalArgumentException if {@code input} has no textual {@code "type"}
   * @throws RsmException what the node answered instead of a reply
   */
  public Answer ask(String key, ObjectNode input) {
    return MachineClient.join(askAsync(key, input));
  }

  /** {@link #ask}; the future fails with the {@link RsmException}. */
  public CompletableFuture<Answer> askAsync(String key, ObjectNode input) {
    if (!Objects.requireNonNull(input, "input").path("type").isTextual())
      throw new IllegalArgumentException("the input names itself in \"type\", e.g. {\"type\":\"deposit\",...}: " + input);
    String body = input.toString();
    return calls.send(node -> Requests.post(node, type, id, key, body), key != null)
        .thenApply(a -> new Answer(Responses.body(a.response(), mapper),
            a.response().headers().firstValue("Idempotent-Replayed").map("true"::equals).orElse(false),
            a.node(), a.attempts(), mapper));
  }

  /**
   * The node's answer to {@code GET /machines/{type}/{id}} as it is: {@code type}, {@code id},
   * {@code state}, {@code seqNr}, {@code unackedOutputs}, {@code armedTimers}. Retried like a keyed
   * input.
   */
  public JsonNode read() {
    return MachineClient.join(readAsync());
  }

  public CompletableFuture<JsonNode> readAsync() {
    return calls.send(node -> Requests.get(node, type, id), true).thenApply(a -> Responses.body(a.response(), mapper));
  }

  @Override
  public String toString() {
    return type + "/" + id;
  }
}
