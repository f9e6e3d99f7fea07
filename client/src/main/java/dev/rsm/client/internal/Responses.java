package dev.rsm.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rsm.client.HandlerFailed;
import dev.rsm.client.InvalidInput;
import dev.rsm.client.NotFound;
import dev.rsm.client.RsmException;
import dev.rsm.client.TooLarge;
import dev.rsm.client.TooManyKeys;
import dev.rsm.client.Unauthorized;
import dev.rsm.client.UnexpectedResponse;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;

/** INTERNAL API. Reads a node's answers: the JSON of a 200, the exception of every error status. */
public final class Responses {
  private static final ObjectMapper PLAIN = new ObjectMapper();

  private Responses() {}

  /** The body of a 200 as JSON; any other status as the exception it stands for. */
  public static JsonNode body(HttpResponse<String> r, ObjectMapper mapper) {
    if (r.statusCode() != 200) throw error(r, mapper);
    try {
      return mapper.readTree(r.body());
    } catch (IOException e) {
      throw new UnexpectedResponse(200, "the node's answer is not JSON: " + shorten(r.body()));
    }
  }

  static RsmException error(HttpResponse<String> r, ObjectMapper mapper) {
    JsonNode body = errorBody(r, mapper);
    String message = body.path("error").asText("HTTP " + r.statusCode() + ": " + shorten(r.body()));
    switch (r.statusCode()) {
      case 400:
      case 422:
        return new InvalidInput(r.statusCode(), message);
      case 401:
        return new Unauthorized(message);
      case 404:
        return new NotFound(message);
      case 413:
        return new TooLarge(message);
      case 429:
        return new TooManyKeys(message, retryAfter(r));
      case 500:
        return new HandlerFailed(message, body.path("errorId").isTextual() ? body.get("errorId").asText() : null);
      default:
        return new UnexpectedResponse(r.statusCode(), message);
    }
  }

  private static JsonNode errorBody(HttpResponse<String> r, ObjectMapper mapper) {
    try {
      JsonNode n = mapper.readTree(r.body());
      return n == null ? mapper.createObjectNode() : n;
    } catch (IOException e) {
      return mapper.createObjectNode();
    }
  }

  /** The {@code Retry-After} in seconds (the node sends no dates); 1 s when absent or unreadable. */
  static Duration retryAfter(HttpResponse<String> r) {
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(r.headers().firstValue("Retry-After").orElse("1").trim())));
    } catch (NumberFormatException e) {
      return Duration.ofSeconds(1);
    }
  }

  /** A 503's {@code "reason"} ({@code overloaded}, {@code not-confirmed}, ...) or its error text. */
  static String unavailableReason(HttpResponse<String> r) {
    JsonNode body = errorBody(r, PLAIN);
    if (body.path("reason").isTextual()) return body.get("reason").asText();
    return body.path("error").isTextual() ? shorten(body.get("error").asText()) : "unavailable";
  }

  private static String shorten(String s) {
    return s == null ? "" : s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }
}
