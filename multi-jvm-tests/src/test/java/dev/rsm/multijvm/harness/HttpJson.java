package dev.rsm.multijvm.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A plain HTTP/1.1 client to the nodes, as any user's client would be. */
final class HttpJson {
  static final ObjectMapper MAPPER = new ObjectMapper();
  static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2))
      .build();

  private HttpJson() {}

  static HttpRequest.Builder request(int port, String path, Duration timeout) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(timeout);
  }

  /** Sends {@code r}; an I/O failure (refused, reset, timed out) is an {@link UncheckedIOException}. */
  static HttpResponse<String> send(HttpRequest r) {
    try {
      return CLIENT.send(r, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(r.method() + " " + r.uri() + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** The status of {@code GET path}, or -1 when the node does not answer. */
  static int status(int port, String path) {
    try {
      return send(request(port, path, Duration.ofSeconds(5)).GET().build()).statusCode();
    } catch (UncheckedIOException e) {
      return -1;
    }
  }

  /** {@code GET path} as JSON; fails unless the status is 200. */
  static JsonNode getJson(int port, String path, Duration timeout) {
    HttpResponse<String> r = send(request(port, path, timeout).GET().build());
    if (r.statusCode() != 200)
      throw new IllegalStateException("GET :" + port + path + " answered " + r.statusCode() + ": " + r.body());
    return parse(r.body());
  }

  static JsonNode parse(String body) {
    try {
      return MAPPER.readTree(body);
    } catch (IOException e) {
      throw new IllegalStateException("not JSON: " + body, e);
    }
  }
}
