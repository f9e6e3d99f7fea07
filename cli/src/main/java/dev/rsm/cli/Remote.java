package dev.rsm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rsm.client.internal.Calls;
import dev.rsm.client.internal.Requests;
import dev.rsm.client.internal.Responses;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;

/**
 * The nodes as the global options name them, called through rsm-client's request, retry and error
 * handling: an input under a key and every read are retried on 503s, timeouts and refused
 * connections, on the next node, until {@code --timeout}; every other answer ends the call as the
 * client's typed exception, which {@link Rsm} turns into an exit code.
 */
final class Remote {
  /** A reply and whether the node answered it from its record of the key. */
  record Reply(JsonNode json, boolean replayed) {}

  static final ObjectMapper JSON = new ObjectMapper();
  // A request may take at most this long before it counts as timed out and goes to the next node.
  private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(10);

  private final Rsm options;

  Remote(Rsm options) {
    this.options = options;
    for (URI u : options.nodes) checkUrl("--node", u);
    checkUrl("--admin", options.admin);
  }

  private static void checkUrl(String option, URI u) {
    if (u == null || u.getHost() == null || !("http".equals(u.getScheme()) || "https".equals(u.getScheme())))
      throw new Rsm.UsageError(option + ": not an http(s) URL with a host: '" + u + "' (e.g. http://127.0.0.1:8080)");
  }

  /** {@code POST /machines/{type}/{id}} with {@code body} under {@code key}. */
  Reply send(String type, String id, String key, String body) {
    Calls.Answered a = join(calls(options.nodes).send(n -> Requests.post(n, type, id, key, body), true));
    return new Reply(Responses.body(a.response(), JSON),
        a.response().headers().firstValue("Idempotent-Replayed").map("true"::equals).orElse(false));
  }

  /** {@code GET /machines/{type}/{id}}. */
  JsonNode state(String type, String id) {
    return Responses.body(join(calls(options.nodes).send(n -> Requests.get(n, type, id), true)).response(), JSON);
  }

  /** {@code GET /admin/...} on the management URL; {@code path} and {@code query} are already encoded. */
  JsonNode admin(String path, String query) {
    return Responses.body(join(calls(List.of(options.admin)).send(n -> HttpRequest.newBuilder(
        URI.create(strip(n.toString()) + "/admin/" + path + (query.isEmpty() ? "" : "?" + query))).GET(), true))
        .response(), JSON);
  }

  /** {@code machines/{type}/{id}}, each segment encoded. */
  static String machinePath(String type, String id) {
    return "machines/" + segment(type) + "/" + segment(id);
  }

  private Calls calls(List<URI> bases) {
    Duration attempt = options.timeout.compareTo(ATTEMPT_TIMEOUT) < 0 ? options.timeout : ATTEMPT_TIMEOUT;
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(attempt).build();
    return new Calls(http, bases, options.timeout, attempt, options.token, a -> {});
  }

  private static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String strip(String base) {
    return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
  }

  private static <T> T join(java.util.concurrent.CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      throw e;
    }
  }
}
