package dev.rsm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rsm.client.Answer;
import dev.rsm.client.RsmClient;
import java.net.URI;
import java.time.Duration;

/**
 * The nodes as the global options name them, called through {@code rsm-client}: an input under a
 * key and every read are retried on 503s, timeouts and refused connections, on the next node, until
 * {@code --timeout}; every other answer ends the call as the client's typed exception, which {@link
 * Rsm} turns into an exit code.
 */
final class Remote {
  /** A reply and whether the node answered it from its record of the key. */
  record Reply(JsonNode json, boolean replayed) {}

  static final ObjectMapper JSON = new ObjectMapper();
  // A request may take at most this long before it counts as timed out and goes to the next node.
  private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(10);

  private final Rsm options;
  private final RsmClient client;

  Remote(Rsm options) {
    this.options = options;
    for (URI u : options.nodes) checkUrl("--node", u);
    checkUrl("--admin", options.admin);
    this.client = RsmClient.builder()
        .nodes(options.nodes.toArray(URI[]::new))
        .deadline(options.timeout)
        .attemptTimeout(options.timeout.compareTo(ATTEMPT_TIMEOUT) < 0 ? options.timeout : ATTEMPT_TIMEOUT)
        .bearerToken(options.token)
        .mapper(JSON)
        .build();
  }

  private static void checkUrl(String option, URI u) {
    if (u == null || u.getHost() == null || !("http".equals(u.getScheme()) || "https".equals(u.getScheme())))
      throw new Rsm.UsageError(option + ": not an http(s) URL with a host: '" + u + "' (e.g. http://127.0.0.1:8080)");
  }

  /** {@code POST /machines/{type}/{id}} with {@code input} under {@code key}. */
  Reply send(String type, String id, String key, ObjectNode input) {
    Answer a = client.machine(type, id).ask(key, input);
    return new Reply(a.json(), a.replayed());
  }

  /** {@code GET /machines/{type}/{id}}. */
  JsonNode state(String type, String id) {
    return client.machine(type, id).read();
  }

  /** {@code GET /admin/machines/{type}/{id}}. */
  JsonNode adminMachine(String type, String id) {
    return client.admin(options.admin).machine(type, id);
  }

  /** {@code GET /admin/machines/{type}/{id}/journal?from&limit}. */
  JsonNode journal(String type, String id, Long from, Integer limit) {
    return client.admin(options.admin).journal(type, id, from, limit);
  }
}
