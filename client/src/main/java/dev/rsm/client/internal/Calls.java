package dev.rsm.client.internal;

import dev.rsm.client.Attempt;
import dev.rsm.client.Unavailable;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * INTERNAL API. Sends one request to the nodes until one answers with something other than 503,
 * or the deadline passes. A retried request goes to the next node: after a 503 once its {@code
 * Retry-After} has passed, after a failed connection or a timeout at once while some node has not
 * been tried in this round, else after a doubling pause (100 ms up to 1 s). Calls start at the
 * nodes in turn, so that they spread over the nodes.
 */
public final class Calls {
  /** What a node answered, and how many requests it took to get it. */
  public record Answered(HttpResponse<String> response, URI node, int attempts) {}

  // A Retry-After of 0 still waits this long, so that a node answering 503 at once is not spun on.
  private static final Duration MIN_WAIT = Duration.ofMillis(50);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(1);
  // An attempt with less time than this before the deadline would time out before a node could answer.
  private static final Duration MIN_ATTEMPT = Duration.ofMillis(50);

  private final HttpClient http;
  private final List<URI> nodes;
  private final Duration deadline;
  private final Duration attemptTimeout;
  private final String bearerToken;
  private final Consumer<Attempt> onFailedAttempt;
  private final AtomicInteger next = new AtomicInteger();

  public Calls(HttpClient http, List<URI> nodes, Duration deadline, Duration attemptTimeout, String bearerToken,
      Consumer<Attempt> onFailedAttempt) {
    this.http = http;
    this.onFailedAttempt = onFailedAttempt;
    this.nodes = List.copyOf(nodes);
    this.deadline = deadline;
    this.attemptTimeout = attemptTimeout;
    this.bearerToken = bearerToken;
  }

  /** The same settings and HTTP client, sending to {@code others} instead (a node's management URL). */
  public Calls to(List<URI> others) {
    return new Calls(http, others, deadline, attemptTimeout, bearerToken, onFailedAttempt);
  }

  /**
   * Sends the request {@code request} builds for a node's base URI.
   *
   * @param retry whether a 503, a timeout or a failed connection may be retried: only when
   *     sending the request twice cannot do twice what it asks (a key, or a read)
   * @return the first answer that is not a 503; fails with {@link Unavailable} when none came in time
   */
  public CompletableFuture<Answered> send(Function<URI, HttpRequest.Builder> request, boolean retry) {
    CompletableFuture<Answered> result = new CompletableFuture<>();
    attempt(request, retry, System.nanoTime() + deadline.toNanos(), Math.floorMod(next.getAndIncrement(), nodes.size()),
        new ArrayList<>(), result);
    return result;
  }

  private void attempt(Function<URI, HttpRequest.Builder> request, boolean retry, long deadlineNanos, int node,
      List<Attempt> attempts, CompletableFuture<Answered> result) {
    URI base = nodes.get(node % nodes.size());
    Duration left = Duration.ofNanos(Math.max(deadlineNanos - System.nanoTime(), 1_000_000));
    HttpRequest.Builder b = request.apply(base).timeout(left.compareTo(attemptTimeout) < 0 ? left : attemptTimeout);
    if (bearerToken != null) b.header("Authorization", "Bearer " + bearerToken);
    HttpRequest req;
    try {
      req = b.build();
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
      return;
    }
    http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).whenComplete((response, failure) -> {
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
      if (cause == null && response.statusCode() != 503) {
        result.complete(new Answered(response, base, attempts.size() + 1));
        return;
      }
      if (cause != null && !(cause instanceof IOException)) {
        result.completeExceptionally(cause);
        return;
      }
      Duration wait;
      Attempt failed;
      if (cause == null) {
        Duration retryAfter = Responses.retryAfter(response);
        failed = new Attempt(base, 503, "503 " + Responses.unavailableReason(response)
            + ", Retry-After " + retryAfter.toSeconds() + "s", Instant.now());
        wait = retryAfter.compareTo(MIN_WAIT) < 0 ? MIN_WAIT : retryAfter;
      } else {
        failed = new Attempt(base, 0, describe(cause), Instant.now());
        int round = (attempts.size() + 1) / nodes.size();
        wait = (attempts.size() + 1) % nodes.size() != 0 ? Duration.ZERO
            : min(MAX_BACKOFF, Duration.ofMillis(100L << Math.min(round - 1, 10)));
      }
      attempts.add(failed);
      try {
        onFailedAttempt.accept(failed);
      } catch (RuntimeException ignored) {
        // a listener's failure is not the call's
      }
      if (!retry) {
        result.completeExceptionally(new Unavailable("no reply, and a request without an idempotency key is not retried",
            attempts));
      } else if (System.nanoTime() + wait.toNanos() + MIN_ATTEMPT.toNanos() >= deadlineNanos) {
        result.completeExceptionally(new Unavailable("no answer within the deadline of " + deadline.toMillis() + " ms",
            attempts));
      } else {
        CompletableFuture.delayedExecutor(wait.toNanos(), TimeUnit.NANOSECONDS)
            .execute(() -> attempt(request, true, deadlineNanos, node + 1, attempts, result));
      }
    });
  }

  private static String describe(Throwable cause) {
    if (cause instanceof HttpTimeoutException) return "timed out";
    if (cause instanceof ConnectException) return "connection refused";
    return "connection failed: " + cause;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) < 0 ? a : b;
  }
}
