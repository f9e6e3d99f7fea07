package dev.rsm.multijvm.harness;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

/** Measures, from the outside, when machines answer again after a failure, and what they answer. */
public final class Probe {
  private Probe() {}

  /**
   * Reads every machine ({@code GET /machines/account/{id}}) through {@code ports}, in parallel and
   * again until each has answered 200 once; returns the time from {@code sinceNanos} (a
   * {@link System#nanoTime()}) until the last of them answered.
   */
  public static Duration untilAllServed(List<String> accounts, List<Integer> ports, long sinceNanos, Duration timeout) {
    Map<String, Long> servedAt = new ConcurrentHashMap<>();
    AtomicInteger round = new AtomicInteger();
    Waits.await("every one of " + accounts + " answered 200 once (those that did so far)", timeout)
        .pollInterval(Duration.ofMillis(50)) // a refused connection returns at once
        .until(() -> {
          readRound(accounts, ports, round.getAndIncrement(), servedAt);
          return new TreeSet<>(servedAt.keySet());
        }, answered -> answered.size() == accounts.size());
    long last = servedAt.values().stream().mapToLong(Long::longValue).max().orElse(sinceNanos);
    return Duration.ofNanos(last - sinceNanos);
  }

  /** One read of each account not yet in {@code servedAt}, all at once, starting round-robin at node {@code round}. */
  private static void readRound(List<String> accounts, List<Integer> ports, int round, Map<String, Long> servedAt) {
    List<CompletableFuture<Void>> pending = new ArrayList<>();
    int i = round;
    for (String a : accounts) {
      if (servedAt.containsKey(a)) continue;
      int port = ports.get(i++ % ports.size());
      pending.add(HttpJson.CLIENT.sendAsync(
              HttpJson.request(port, "/machines/account/" + a, Duration.ofSeconds(5)).GET().build(),
              HttpResponse.BodyHandlers.ofString())
          .thenAccept(r -> {
            if (r.statusCode() == 200) servedAt.put(a, System.nanoTime());
          })
          .exceptionally(e -> null));
    }
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
  }

  /**
   * {@code GET /machines/account/{id}} of every account from the node at {@code port}, all at
   * once, each waiting up to {@code timeout}; null for an account whose request failed (refused,
   * reset, timed out).
   */
  public static Map<String, HttpResponse<String>> readAll(List<String> accounts, int port, Duration timeout) {
    return readAll("account", accounts, port, timeout);
  }

  /** The same for machines {@code ids} of {@code type} ({@code GET /machines/{type}/{id}}). */
  public static Map<String, HttpResponse<String>> readAll(String type, List<String> ids, int port, Duration timeout) {
    Map<String, CompletableFuture<HttpResponse<String>>> pending = new TreeMap<>();
    for (String a : ids)
      pending.put(a, HttpJson.CLIENT.sendAsync(
              HttpJson.request(port, "/machines/" + type + "/" + a, timeout).GET().build(),
              HttpResponse.BodyHandlers.ofString())
          .exceptionally(e -> null));
    Map<String, HttpResponse<String>> answers = new TreeMap<>();
    pending.forEach((a, f) -> answers.put(a, f.join()));
    return answers;
  }

  /** One machine's answer to a read: null if the request failed; {@code answeredAt} a {@link System#nanoTime()}. */
  public record Answer(HttpResponse<String> response, long answeredAt) {
    public int status() {
      return response == null ? -1 : response.statusCode();
    }
  }

  /**
   * {@link #readAll(List, int, Duration)}, with the moment each answer arrived: a batch finishes
   * when its slowest request does, so timing a fast answer by the batch would date it late.
   */
  public static Map<String, Answer> readAllTimed(List<String> accounts, int port, Duration timeout) {
    Map<String, CompletableFuture<Answer>> pending = new TreeMap<>();
    for (String a : accounts)
      pending.put(a, HttpJson.CLIENT.sendAsync(
              HttpJson.request(port, "/machines/account/" + a, timeout).GET().build(),
              HttpResponse.BodyHandlers.ofString())
          .thenApply(r -> new Answer(r, System.nanoTime()))
          .exceptionally(e -> new Answer(null, System.nanoTime())));
    Map<String, Answer> answers = new TreeMap<>();
    pending.forEach((a, f) -> answers.put(a, f.join()));
    return answers;
  }
}
