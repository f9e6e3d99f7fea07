package dev.rsm.multijvm.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rsm.actors.MachineType;
import dev.rsm.app.sample.saga.Inventory;
import dev.rsm.client.Answer;
import dev.rsm.client.RsmClient;
import dev.rsm.client.RsmException;
import dev.rsm.client.Unavailable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Clients of the order saga sample ({@code order} and {@code inventory} machines) over HTTP, the
 * orders they placed, and the fake payment gateway's record read from outside the nodes.
 *
 * <p>As in {@link Bank}, requests go through {@code rsm-client}: every one carries an
 * idempotency key ({@code stock-<sku>}, {@code place-<order>}) that the client retries <em>with
 * the same key</em> on the next node after a 503, a timeout or a refused connection, until it
 * gets a reply. An order's {@code place} is answered at once ({@code "RESERVING"}); what
 * happens to it afterwards (calls to the inventories, the charge and refund effects) is read back
 * with {@code GET /machines/order/{id}} and checked against the gateway's directory by {@link
 * Audit#afterSaga}.
 *
 * <p>The gateway ({@code dev.rsm.app.sample.saga.PaymentGateway}) keeps one file per charge in
 * {@code charges/} and per refund in {@code refunds/}, named by the effect's idempotency key with
 * {@code '/'} replaced by {@code '~'}, each starting with the order's id; every attempt appends a
 * line to {@code attempts.log}. The nodes of a scenario share the directory ({@link #gatewayDir}).
 */
public final class Shop {
  /** Cards starting with this are declined by the gateway: those orders must end cancelled. */
  public static final String DECLINED_PREFIX = "0000";
  public static final String CONFIRMED = "CONFIRMED", CANCELLED = "CANCELLED";
  /** As in {@link Bank}: a single request still failing after this long means something hangs. */
  private static final Duration GIVE_UP = Duration.ofSeconds(60);
  /** Above the nodes' own 3 s request timeout (after which they answer 503), so a node's answer comes first. */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(6);

  /** One order as placed: {@code units} per SKU, paid {@code amountCents} with {@code card}. */
  public record Order(String id, String card, long amountCents, Map<String, Integer> units) {
    public boolean declined() {
      return card.startsWith(DECLINED_PREFIX);
    }
  }

  private final List<String> skus;
  private final int stock;
  private final Map<String, Order> orders = new LinkedHashMap<>();
  private final RsmClient client; // through every node given
  private final Path gatewayDir;
  private final AtomicInteger nextOrder = new AtomicInteger();
  private final Set<String> placed = ConcurrentHashMap.newKeySet();
  private final AtomicLong attempts = new AtomicLong();
  private final AtomicLong unavailable = new AtomicLong();
  private final AtomicLong connectionErrors = new AtomicLong();
  private final AtomicLong replayed = new AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();

  /**
   * {@code orderCount} orders ({@code o-01}, ...) of {@code skus}, each of which gets {@code stock}
   * units, drawn from {@code seed}: one or two SKUs of 1..3 units each, every seventh card declined.
   */
  Shop(List<String> skus, int stock, int orderCount, long seed, List<Integer> ports, Path gatewayDir) {
    this.skus = List.copyOf(skus);
    this.stock = stock;
    this.client = RsmClient.builder()
        .nodes(ports.stream().map(p -> URI.create("http://127.0.0.1:" + p)).toArray(URI[]::new))
        .deadline(GIVE_UP)
        .attemptTimeout(REQUEST_TIMEOUT)
        .onFailedAttempt(a -> (a.status() == 503 ? unavailable : connectionErrors).incrementAndGet())
        .build();
    this.gatewayDir = gatewayDir.toAbsolutePath().normalize();
    Random random = new Random(seed);
    for (int i = 1; i <= orderCount; i++) {
      Map<String, Integer> units = new TreeMap<>();
      units.put(skus.get(random.nextInt(skus.size())), 1 + random.nextInt(3));
      if (random.nextBoolean()) units.put(skus.get(random.nextInt(skus.size())), 1 + random.nextInt(3));
      String card = i % 7 == 0 ? DECLINED_PREFIX + "-0000-" + i : "4242-4242-" + i;
      String id = String.format("o-%02d", i);
      orders.put(id, new Order(id, card, 100L * i + random.nextInt(100), units));
    }
  }

  /** The directory the nodes' gateway keeps its record in ({@code rsm.sample.gateway.dir}). */
  public Path gatewayDir() {
    return gatewayDir;
  }

  public List<String> skus() {
    return skus;
  }

  /** Units every SKU receives ({@link #stock()}). */
  public int stockPerSku() {
    return stock;
  }

  public Map<String, Order> orders() {
    return orders;
  }

  public List<String> orderIds() {
    return List.copyOf(orders.keySet());
  }

  /** Receives {@link #stockPerSku} units of every SKU. */
  public void stock() {
    for (String sku : skus) {
      JsonNode r = call(Inventory.TYPE, sku, "stock-" + sku, new Inventory.Receive(stock)).json();
      if (!r.isInt()) throw new AssertionError("receive at " + sku + " answered " + r);
    }
  }

  /** Starts {@code workers} client threads that place every order once between them. */
  public void startOrders(int workers) {
    List<Order> all = List.copyOf(orders.values());
    for (int w = 0; w < workers; w++) {
      Thread t = new Thread(() -> {
        try {
          for (int i = nextOrder.getAndIncrement(); i < all.size() && failure.get() == null; i = nextOrder.getAndIncrement())
            place(all.get(i));
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      }, "shop-client-" + w);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  private void place(Order o) {
    JsonNode r = call(dev.rsm.app.sample.saga.Order.TYPE, o.id(), "place-" + o.id(),
        new dev.rsm.app.sample.saga.Order.Place(o.card(), o.amountCents(), o.units())).json();
    // The first answer is RESERVING; a replay by key answers the recorded one.
    if (!"RESERVING".equals(r.asText())) throw new AssertionError("place " + o.id() + " answered " + r);
    placed.add(o.id());
  }

  /** The orders placed so far (answered 200). */
  public List<String> placed() {
    return orders.keySet().stream().filter(placed::contains).toList();
  }

  /** Waits until {@code n} orders are placed; fails at once if a client failed. */
  public void awaitPlaced(int n, Duration timeout) {
    Waits.await(n + " orders placed", timeout).until(() -> {
      Throwable f = failure.get();
      if (f != null) throw new AssertionError("a client failed: " + f.getMessage(), f);
      return placed.size();
    }, done -> done >= n);
  }

  /** Waits until the client threads have placed every order; fails if one failed. */
  public void awaitAllPlaced(Duration timeout) {
    awaitPlaced(orders.size(), timeout);
    for (Thread t : threads) {
      try {
        t.join(timeout.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    threads.clear();
  }

  /** Stops the clients at once, mid-request (clean-up after a failed test: nothing is checked). */
  void abort() {
    failure.compareAndSet(null, new IllegalStateException("aborted"));
    threads.forEach(Thread::interrupt);
  }

  /**
   * Sends one input with {@code key} to machine {@code type/id} through the client, which retries
   * the same key on the next node until it gets a reply or {@link #GIVE_UP} has passed.
   */
  private <I> Answer call(MachineType<I, ?> type, String id, String key, I input) {
    try {
      Answer a = client.machine(type, id).ask(key, input);
      attempts.addAndGet(a.attempts());
      if (a.replayed()) replayed.incrementAndGet();
      return a;
    } catch (Unavailable e) {
      attempts.addAndGet(e.attempts().size());
      throw new AssertionError("key " + key + " to " + type.name() + "/" + id + " got no reply within " + GIVE_UP
          + ": " + e.getMessage(), e);
    } catch (RsmException e) {
      throw new AssertionError(type.name() + "/" + id + " key " + key + " answered " + e.status() + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * {@code GET /machines/{type}/{id}} of every one of {@code ids}, spread over {@code ports}, all at
   * once: the answers that were 200 ({@code {"state", "seqNr", "unackedOutputs", ...}}), by id. The
   * others go into {@code problems} (may be null).
   */
  public static Map<String, JsonNode> read(String type, List<String> ids, List<Integer> ports, List<String> problems) {
    Map<String, JsonNode> views = new TreeMap<>();
    for (int p = 0; p < ports.size(); p++) {
      List<String> share = new ArrayList<>();
      for (int i = p; i < ids.size(); i += ports.size()) share.add(ids.get(i));
      for (var e : Probe.readAll(type, share, ports.get(p), Duration.ofSeconds(5)).entrySet()) {
        HttpResponse<String> r = e.getValue();
        if (r != null && r.statusCode() == 200) views.put(e.getKey(), HttpJson.parse(r.body()));
        else if (problems != null)
          problems.add(type + "/" + e.getKey() + ": " + (r == null ? "no answer from :" + ports.get(p) : r.statusCode() + " " + r.body()));
      }
    }
    return views;
  }

  /** An order's status in a {@link #read} view. */
  public static String status(JsonNode view) {
    return view.path("state").path("status").asText();
  }

  /** Whether the order in a {@link #read} view waits for an effect's outcome: charging or refunding. */
  public static boolean effectPending(JsonNode view) {
    return "CHARGING".equals(status(view)) || "REFUNDING".equals(status(view));
  }

  public static boolean ended(JsonNode view) {
    return CONFIRMED.equals(status(view)) || CANCELLED.equals(status(view));
  }

  /**
   * Waits until every order, read through {@code ports}, is {@code CONFIRMED} or {@code CANCELLED};
   * returns their views. The failure names the orders that had not ended, with their states.
   */
  public Map<String, JsonNode> awaitOrdersEnded(List<Integer> ports, Duration timeout) {
    AtomicReference<Map<String, JsonNode>> last = new AtomicReference<>(Map.of());
    List<String> problems = new ArrayList<>();
    boolean done = Waits.within(timeout, Duration.ofMillis(200), () -> {
      problems.clear();
      Map<String, JsonNode> views = read("order", orderIds(), ports, problems);
      last.set(views);
      return problems.isEmpty() && views.values().stream().allMatch(Shop::ended);
    });
    if (!done) {
      List<String> open = new ArrayList<>(problems);
      last.get().forEach((id, v) -> {
        if (!ended(v)) open.add(id + ": " + v.path("state") + " seqNr " + v.path("seqNr"));
      });
      throw new AssertionError("within " + timeout + ", " + open.size() + " of " + orders.size()
          + " orders did not end CONFIRMED or CANCELLED:\n  " + String.join("\n  ", open));
    }
    return last.get();
  }

  /** Order id by charge key, as the gateway recorded the charges ({@code charges/}). */
  public Map<String, String> charges() {
    return gatewayRecord("charges");
  }

  /** Order id by refunded charge key ({@code refunds/}). */
  public Map<String, String> refunds() {
    return gatewayRecord("refunds");
  }

  /** The lines of the gateway's {@code attempts.log}: one per attempt of a charge or refund, by any node. */
  public List<String> gatewayAttempts() {
    Path log = gatewayDir.resolve("attempts.log");
    try {
      return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Map<String, String> gatewayRecord(String dir) {
    Map<String, String> byKey = new TreeMap<>();
    Path d = gatewayDir.resolve(dir);
    if (!Files.isDirectory(d)) return byKey;
    try (var files = Files.list(d)) {
      for (Path f : (Iterable<Path>) files::iterator)
        byKey.put(f.getFileName().toString().replace('~', '/'), Files.readString(f).trim().split(" ")[0]);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return byKey;
  }

  /** {@code view}'s state with its sets (JSON arrays) sorted: the same state reads the same on every node. */
  public static JsonNode canonicalState(JsonNode view) {
    JsonNode state = view.path("state").deepCopy();
    if (state instanceof ObjectNode o)
      for (String field : List.of("held", "answered")) {
        JsonNode a = o.get(field);
        if (a == null || !a.isArray()) continue;
        List<String> sorted = new ArrayList<>();
        a.forEach(e -> sorted.add(e.asText()));
        sorted.sort(null);
        o.putArray(field).addAll(sorted.stream().map(HttpJson.MAPPER.getNodeFactory()::textNode).toList());
      }
    return state;
  }

  /** One line for the test output. */
  public String summary() {
    return String.format("%d orders placed over %d SKUs of %d units; %d HTTP attempts, %d answered 503, "
            + "%d connection errors/timeouts, %d replayed by key",
        placed.size(), skus.size(), stock, attempts.get(), unavailable.get(), connectionErrors.get(), replayed.get());
  }
}
