package dev.rsm.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rsm.actors.MachineType;
import dev.rsm.client.internal.Calls;
import dev.rsm.client.internal.Requests;
import dev.rsm.client.internal.Responses;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One machine, seen through the HTTP API: {@link #ask} sends it an input and returns the step's
 * reply; {@link #state} reads its state. Each has a {@code CompletableFuture} form that never
 * blocks the caller; the sync forms throw what the future fails with.
 *
 * <p>Pass an idempotency key with every input that matters: with one, the client retries through
 * 503s, timeouts and dead nodes until the deadline, and the input is handled once however many
 * requests arrive; without one (null) a failed request is not retried and ends in {@link
 * Unavailable}, the outcome unknown.
 */
public final class MachineClient<I, S> {
  private final Calls calls;
  private final ObjectMapper mapper;
  private final MachineType<I, S> type;
  private final String id;

  MachineClient(Calls calls, ObjectMapper mapper, MachineType<I, S> type, String id) {
    this.calls = calls;
    this.mapper = mapper;
    this.type = type;
    this.id = id;
  }

  /**
   * Sends {@code input} under {@code key} and returns the reply as a {@code replyType}.
   *
   * @throws RsmException what the node answered instead of a reply
   */
  public <R> R ask(String key, I input, Class<R> replyType) {
    return join(askAsync(key, input, replyType));
  }

  /** Sends {@code input} under {@code key} (null: none) and returns the reply with how it came. */
  public Answer ask(String key, I input) {
    return join(askAsync(key, input));
  }

  public <R> CompletableFuture<R> askAsync(String key, I input, Class<R> replyType) {
    return askAsync(key, input).thenApply(a -> a.as(replyType));
  }

  /** {@link #ask(String, Object)}; the future fails with the {@link RsmException}. */
  public CompletableFuture<Answer> askAsync(String key, I input) {
    String body = Requests.input(type, java.util.Objects.requireNonNull(input, "input"), mapper);
    return calls.send(node -> Requests.post(node, type.name(), id, key, body), key != null)
        .thenApply(a -> new Answer(Responses.body(a.response(), mapper),
            a.response().headers().firstValue("Idempotent-Replayed").map("true"::equals).orElse(false),
            a.node(), a.attempts(), mapper));
  }

  /**
   * The machine's state, read as the type's state class. A read changes nothing, so it is retried
   * like a keyed input.
   */
  public MachineState<S> state() {
    return join(stateAsync());
  }

  public CompletableFuture<MachineState<S>> stateAsync() {
    return calls.send(node -> Requests.get(node, type.name(), id), true).thenApply(a -> {
      JsonNode n = Responses.body(a.response(), mapper);
      S state;
      try {
        state = mapper.treeToValue(n.get("state"), type.stateType());
      } catch (JsonProcessingException | IllegalArgumentException e) {
        throw new UnexpectedResponse(200, "the state " + n.get("state") + " is not a " + type.stateType().getName());
      }
      return new MachineState<>(n.path("type").asText(), n.path("id").asText(), state, n.path("seqNr").asLong(),
          n.path("unackedOutputs").asInt(), n.path("armedTimers").asInt(), a.attempts());
    });
  }

  static <T> T join(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      if (e.getCause() instanceof Error err) throw err;
      throw e;
    }
  }

  @Override
  public String toString() {
    return type.name() + "/" + id;
  }
}
