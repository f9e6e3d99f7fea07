package dev.rsm.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntFunction;

/**
 * A node's HTTP API played by the JDK's HttpServer: answers the n-th request (from 1) as its script
 * says and records every request with the time it arrived.
 */
final class FakeNode implements AutoCloseable {
  /** A scripted answer; {@link #HANG} never answers (until the node closes). */
  record Response(int status, Map<String, String> headers, String body) {}

  static final Response HANG = new Response(-1, Map.of(), "");

  /** A request as the node received it; {@code nanos} is {@link System#nanoTime()} on arrival. */
  record Request(String method, String path, String key, String contentType, String authorization, String body,
      long nanos) {}

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final CountDownLatch closed = new CountDownLatch(1);
  final List<Request> requests = new CopyOnWriteArrayList<>();

  FakeNode(IntFunction<Response> script) {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    server.setExecutor(threads);
    server.createContext("/", exchange -> answer(exchange, script));
    server.start();
  }

  static Response json(int status, String body, String... headers) {
    Map<String, String> h = new java.util.HashMap<>();
    for (int i = 0; i < headers.length; i += 2) h.put(headers[i], headers[i + 1]);
    return new Response(status, h, body);
  }

  private void answer(HttpExchange x, IntFunction<Response> script) throws IOException {
    long at = System.nanoTime();
    String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    requests.add(new Request(x.getRequestMethod(), x.getRequestURI().getRawPath(),
        x.getRequestHeaders().getFirst("Idempotency-Key"), x.getRequestHeaders().getFirst("Content-Type"),
        x.getRequestHeaders().getFirst("Authorization"), body, at));
    Response r = script.apply(requests.size());
    if (r == HANG) {
      try {
        closed.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      x.close();
      return;
    }
    byte[] bytes = r.body().getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().add("Content-Type", "application/json");
    r.headers().forEach((k, v) -> x.getResponseHeaders().add(k, v));
    x.sendResponseHeaders(r.status(), bytes.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(bytes);
    }
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** The URI of a port nothing listens on: connections to it are refused. */
  static URI refusing() {
    try (ServerSocket s = new ServerSocket(0)) {
      return URI.create("http://127.0.0.1:" + s.getLocalPort());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    closed.countDown();
    server.stop(0);
    threads.shutdownNow();
  }
}
