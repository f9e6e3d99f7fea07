package dev.rsm.app.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny real HTTP client for the tests of the HTTP contract itself: status codes, headers, error
 * bodies and hostile requests that {@code rsm-client} would never send or would hide behind its
 * retries. Tests of behaviour over HTTP use {@code rsm-client} ({@code RsmClientTest},
 * {@code OwnMachinesTest}). While {@link #record()} is on, it keeps every exchange, for a test to
 * check them against the node's contract ({@link OpenApiContract}).
 */
public final class Http {
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static volatile List<Exchange> recording;

  /** A request and its response, headers by case-insensitive name. */
  public record Exchange(int port, String method, String path, Map<String, List<String>> requestHeaders, String requestBody,
      int status, Map<String, List<String>> responseHeaders, String responseBody) {
    public Optional<String> responseHeader(String name) {
      return Optional.ofNullable(responseHeaders.get(name)).flatMap(v -> v.stream().findFirst());
    }

    public Optional<String> requestHeader(String name) {
      return Optional.ofNullable(requestHeaders.get(name)).flatMap(v -> v.stream().findFirst());
    }
  }

  /** Starts keeping every exchange (again, from none), until {@link #stopRecording()}. */
  public static List<Exchange> record() {
    recording = new CopyOnWriteArrayList<>();
    return recording;
  }

  public static void stopRecording() {
    recording = null;
  }

  private Http() {}

  public static HttpResponse<String> post(int port, String path, String key, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(20))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) b.header("Idempotency-Key", key);
    return send(b.build(), body);
  }

  public static HttpResponse<String> get(int port, String path) {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(20)).GET().build());
  }

  public static HttpResponse<String> send(HttpRequest r) {
    return send(r, null);
  }

  private static HttpResponse<String> send(HttpRequest r, String body) {
    try {
      HttpResponse<String> response = CLIENT.send(r, HttpResponse.BodyHandlers.ofString());
      List<Exchange> into = recording;
      if (into != null)
        into.add(new Exchange(r.uri().getPort(), r.method(), r.uri().getRawPath(), headers(r.headers()), body,
            response.statusCode(), headers(response.headers()), response.body()));
      return response;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, List<String>> headers(java.net.http.HttpHeaders h) {
    Map<String, List<String>> m = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    m.putAll(h.map());
    return m;
  }
}
