package dev.rsm.client;

import java.net.URI;
import java.time.Instant;

/**
 * One request of a call that did not end it: the node it went to, when it ended and how.
 *
 * @param node the node's base URI, as given to the builder
 * @param status 503, or 0 when no answer came (timed out, connection refused or lost)
 * @param outcome what happened, e.g. {@code "503 overloaded, Retry-After 1s"}, {@code "connection refused"}
 * @param at when the attempt ended
 */
public record Attempt(URI node, int status, String outcome, Instant at) {
  @Override
  public String toString() {
    return node + ": " + outcome;
  }
}
