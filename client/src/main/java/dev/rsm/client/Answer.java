package dev.rsm.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;

/**
 * A machine's reply to one input: the JSON the step replied with, read as a class with {@link
 * #as}, whether it is a recorded reply to a key seen before, and how many requests it took.
 */
public final class Answer {
  private final JsonNode reply;
  private final boolean replayed;
  private final URI node;
  private final int attempts;
  private final ObjectMapper mapper;

  Answer(JsonNode reply, boolean replayed, URI node, int attempts, ObjectMapper mapper) {
    this.reply = reply;
    this.replayed = replayed;
    this.node = node;
    this.attempts = attempts;
    this.mapper = mapper;
  }

  /**
   * The reply as a {@code type}.
   *
   * @throws IllegalArgumentException if the reply's JSON does not read as one
   */
  public <R> R as(Class<R> type) {
    try {
      return mapper.treeToValue(reply, type);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the reply " + reply + " is not a " + type.getName() + ": "
          + e.getOriginalMessage(), e);
    }
  }

  /** The reply's JSON as the node sent it. */
  public JsonNode json() {
    return reply;
  }

  /**
   * True when the node answered with the reply it recorded for this idempotency key earlier
   * ({@code Idempotent-Replayed}): the input was handled once, before this call or by an earlier
   * attempt of it, and not again.
   */
  public boolean replayed() {
    return replayed;
  }

  /** The node that answered, as given to the builder. */
  public URI node() {
    return node;
  }

  /** How many requests the call made, 1 when the first one was answered. */
  public int attempts() {
    return attempts;
  }

  @Override
  public String toString() {
    return "Answer[" + reply + (replayed ? ", replayed" : "") + ", attempts=" + attempts + "]";
  }
}
