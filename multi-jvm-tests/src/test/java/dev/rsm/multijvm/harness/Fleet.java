package dev.rsm.multijvm.harness;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;

/**
 * Many {@code account} machines over HTTP, each made by one keyed deposit, driven by a bounded
 * number of client threads: for measuring what happens to thousands of machines at once, where
 * {@link Bank} keeps a ledger of a few. What each machine answered a read with once it was made
 * ({@code seqNr} and balance) is what it must answer with afterwards, wherever it runs.
 */
public final class Fleet {
  /** Above the nodes' request timeout (3 s in the harness, 5 s by default), so the node's 503 comes first. */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(6);

  /** What a machine answered a read with once made: its journaled steps and its balance. */
  public record Seen(long seqNr, long balance) {}

  /**
   * The reads after a failure ({@link #readUntilServed}): when each machine first answered with
   * what it answered before (by {@link System#nanoTime()}), the machines that answered with
   * something else, and the reads sent and failed (timed out, refused, 503).
   */
  public record Served(Map<String, Long> at, Map<String, String> wrong, long reads, long failedReads) {}

  private final List<String> ids = new ArrayList<>();
  private final Map<String, Seen> seen = new ConcurrentHashMap<>();
  private final int concurrency;

  /** {@code count} machines {@code prefix-000000}, ..., driven by {@code concurrency} client threads. */
  public Fleet(String prefix, int count, int concurrency) {
    for (int i = 0; i < count; i++) ids.add(String.format("%s-%06d", prefix, i));
    this.concurrency = concurrency;
  }

  public List<String> ids() {
    return List.copyOf(ids);
  }

  /** The opening deposit of the {@code i}-th machine: distinct between neighbours, so a mixed-up state shows. */
  private static long amount(int i) {
    return 1 + i % 997;
  }

  /**
   * Makes every machine: one deposit each, with the key {@code open-<id>}, through {@code ports} in
   * turn, a request that fails (503, refused, timed out) retried with the same key until {@code
   * giveUp}. Then reads every machine back and records its {@code seqNr} and balance, failing if
   * the balance is not the deposit. Returns the seconds the deposits took.
   */
  public double open(List<Integer> ports, Duration giveUp) {
    long t0 = System.nanoTime();
    forEach(i -> {
      String id = ids.get(i);
      JsonNode reply = call(ports, i, "open-" + id, id,
          "{\"type\":\"deposit\",\"amount\":" + amount(i) + "}", giveUp);
      if (!reply.path("accepted").asBoolean() || reply.path("balance").asLong() != amount(i))
        throw new AssertionError(id + ": the opening deposit of " + amount(i) + " answered " + reply);
    });
    double seconds = (System.nanoTime() - t0) / 1e9;
    forEach(i -> {
      String id = ids.get(i);
      JsonNode view = call(ports, i, null, id, null, giveUp);
      Seen s = new Seen(view.path("seqNr").asLong(), view.path("state").path("balance").asLong());
      if (s.balance() != amount(i) || s.seqNr() < 1) throw new AssertionError(id + " read back as " + view);
      seen.put(id, s);
    });
    return seconds;
  }

  /** What {@code id} answered when read back after {@link #open}. */
  public Seen seen(String id) {
    return seen.get(id);
  }

  /**
   * Reads {@code machines} ({@code GET /machines/account/{id}}) through {@code ports} until each
   * has answered 200 once, or {@code timeout} passes. Machines of one shard come back together
   * (the shard starts on a survivor and sharding's remember-entities starts all of them), so the
   * reads go shard by shard: while a shard has not answered, one read at a time probes it (a read
   * of a shard still on the dead node can only time out, and {@code concurrency} of them would stall
   * every other shard); once one of its machines answered, every client thread may read the rest.
   * A read that answers 200 with another {@code seqNr} or balance than {@link #seen} is recorded as
   * wrong and not retried.
   */
  public Served readUntilServed(Collection<String> machines, List<Integer> ports, Duration timeout) {
    Map<String, Shard> shards = new TreeMap<>();
    for (String id : machines) shards.computeIfAbsent(NodeCluster.shardOf(id), s -> new Shard()).pending.add(id);
    List<Shard> order = List.copyOf(shards.values());
    Map<String, Long> at = new ConcurrentHashMap<>();
    Map<String, String> wrong = new ConcurrentHashMap<>();
    AtomicLong reads = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicInteger nextPort = new AtomicInteger();
    long deadline = System.nanoTime() + timeout.toNanos();
    forEachThread(worker -> {
      int turn = worker;
      while (at.size() + wrong.size() < machines.size() && System.nanoTime() < deadline) {
        Shard shard = null;
        String id = null;
        for (int k = 0; k < order.size() && id == null; k++) {
          shard = order.get(Math.floorMod(turn++, order.size()));
          if (shard.open || (System.nanoTime() >= shard.retryAt && shard.probing.compareAndSet(false, true))) {
            id = shard.pending.poll();
            if (id == null && !shard.open) shard.probing.set(false);
          }
        }
        if (id == null) {
          LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
          continue;
        }
        int port = ports.get(Math.floorMod(nextPort.getAndIncrement(), ports.size()));
        reads.incrementAndGet();
        HttpResponse<String> r = get(port, id);
        if (r != null && r.statusCode() == 200) {
          long now = System.nanoTime();
          JsonNode view = HttpJson.parse(r.body());
          Seen s = seen.get(id);
          if (view.path("seqNr").asLong() == s.seqNr() && view.path("state").path("balance").asLong() == s.balance())
            at.put(id, now);
          else wrong.put(id, "read " + r.body() + ", before the failure " + s);
          shard.open = true;
        } else {
          failed.incrementAndGet();
          shard.pending.add(id);
          shard.open = false; // probe again, one read at a time
          shard.retryAt = System.nanoTime() + Duration.ofMillis(100).toNanos();
        }
        if (!shard.open) shard.probing.set(false);
      }
    });
    return new Served(Map.copyOf(at), Map.copyOf(wrong), reads.get(), failed.get());
  }

  /** The machines of one shard not yet served, and whether the shard answers. */
  private static final class Shard {
    final Queue<String> pending = new ConcurrentLinkedQueue<>();
    final AtomicBoolean probing = new AtomicBoolean();
    volatile boolean open;
    volatile long retryAt;
  }

  /** {@code GET} of one machine; null when the node did not answer (refused, reset, timed out). */
  private static HttpResponse<String> get(int port, String id) {
    try {
      return HttpJson.send(HttpJson.request(port, "/machines/account/" + id, REQUEST_TIMEOUT).GET().build());
    } catch (UncheckedIOException e) {
      return null;
    }
  }

  /**
   * One request (a keyed POST of {@code body}, or a GET when {@code key} is null) to machine {@code
   * id}, through the ports in turn from {@code first}, until it answers 200; its body.
   */
  private static JsonNode call(List<Integer> ports, int first, String key, String id, String body, Duration giveUp) {
    long deadline = System.nanoTime() + giveUp.toNanos();
    String last = "nothing yet";
    for (int attempt = first; System.nanoTime() < deadline; attempt++) {
      int port = ports.get(Math.floorMod(attempt, ports.size()));
      HttpRequest.Builder req = HttpJson.request(port, "/machines/account/" + id, REQUEST_TIMEOUT);
      if (key != null)
        req.header("Content-Type", "application/json").header("Idempotency-Key", key)
            .POST(HttpRequest.BodyPublishers.ofString(body));
      try {
        HttpResponse<String> r = HttpJson.send(req.build());
        if (r.statusCode() == 200) return HttpJson.parse(r.body());
        if (r.statusCode() != 503) throw new AssertionError(id + " answered " + r.statusCode() + ": " + r.body());
        last = "503: " + r.body();
      } catch (UncheckedIOException e) {
        last = e.getMessage();
      }
      LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
    }
    throw new AssertionError(id + " got no 200 within " + giveUp + "; last: " + last);
  }

  /** Runs {@code task} for every machine index, on the fleet's client threads; fails if one failed. */
  private void forEach(IntConsumer task) {
    AtomicInteger next = new AtomicInteger();
    AtomicBoolean failed = new AtomicBoolean();
    forEachThread(worker -> {
      try {
        for (int i = next.getAndIncrement(); i < ids.size() && !failed.get(); i = next.getAndIncrement()) task.accept(i);
      } catch (RuntimeException | AssertionError e) {
        failed.set(true); // the other threads stop after their current machine
        throw e;
      }
    });
  }

  /** Runs {@code body(worker)} on each of the fleet's client threads and waits for all; rethrows the first failure. */
  private void forEachThread(IntConsumer body) {
    Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
    IntFunction<Thread> thread = w -> new Thread(() -> {
      try {
        body.accept(w);
      } catch (Throwable e) {
        failures.add(e);
      }
    }, "fleet-client-" + w);
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < concurrency; w++) threads.add(thread.apply(w));
    threads.forEach(t -> {
      t.setDaemon(true);
      t.start();
    });
    for (Thread t : threads) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    if (!failures.isEmpty()) throw new AssertionError("a client failed: " + failures.peek().getMessage(), failures.peek());
  }
}
