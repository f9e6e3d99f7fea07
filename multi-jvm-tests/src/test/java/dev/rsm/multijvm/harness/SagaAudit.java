package dev.rsm.multijvm.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rsm.persistence.internal.Origin;
import dev.rsm.persistence.internal.StepTaken;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The audit a scenario of the order saga ({@link Shop}) ends with, from the outside, once every
 * order was placed — the saga's counterpart of {@link Audit}:
 *
 * <ol>
 *   <li>on the nodes still serving: every order ends {@code CONFIRMED} or {@code CANCELLED}, and
 *       every order and SKU has no unacknowledged outputs and no units reserved; against the
 *       gateway's own record (its directory), no order is charged under two keys, a confirmed
 *       order is charged once, under the key its state names, and not refunded, a cancelled one is
 *       not charged or was refunded, an order paid with a declined card is cancelled; every SKU
 *       received its stock, which is available or sold, and sold exactly the units of the confirmed
 *       orders;
 *   <li>every node is killed ({@code kill -9});
 *   <li>in the store's {@code event_journal}, decoded step by step: the orders and SKUs are exactly
 *       the machines journaled, each with as many steps as it reported; each client key is the
 *       origin of exactly one step of its machine and no other key is; no machine has two steps of
 *       one origin (a message, an effect's outcome or a timer handled twice); every effect an order
 *       requested has exactly one outcome step (a confirmed order one, a refunded one two);
 *   <li>a fresh node on the same store, with the same gateway directory, recovers every order and
 *       SKU from its whole journal (snapshots ignored): each answers 200 with the state and step
 *       count it had, and the gateway sees no further attempt (nothing was left pending).
 * </ol>
 */
public final class SagaAudit {
  private static final String ORDER = "rsm|order|", INVENTORY = "rsm|inventory|";

  private SagaAudit() {}

  /** Runs the whole audit, reading through {@code live} first; returns its summary, one line per part. */
  public static String afterScenario(Scenario scenario, Shop shop, List<Integer> live) {
    List<String> lines = new ArrayList<>();
    List<AssertionError> failed = new ArrayList<>();
    Map<String, JsonNode> seen = new TreeMap<>(); // "order/o-01", "inventory/apple" -> settled view
    Audit.part(lines, failed, () -> liveNodesAgree(shop, live, seen));
    scenario.killAll();
    Audit.part(lines, failed, () -> journalAgrees(shop, scenario.database(), seen));
    Audit.part(lines, failed, () -> recoverAllOnFreshNode(scenario, shop, seen));
    return Audit.report(lines, failed);
  }

  /** Every order and SKU through {@code ports}: ({@code "order/o-01"}, view). */
  private static Map<String, JsonNode> readAll(Shop shop, List<Integer> ports, List<String> problems) {
    Map<String, JsonNode> views = new TreeMap<>();
    Shop.read("order", shop.orderIds(), ports, problems).forEach((id, v) -> views.put("order/" + id, v));
    Shop.read("inventory", shop.skus(), ports, problems).forEach((id, v) -> views.put("inventory/" + id, v));
    return views;
  }

  /** Part 1: the saga's outcome on the live nodes against the gateway's record; the stock balances. */
  public static String liveNodesAgree(Shop shop, List<Integer> ports, Map<String, JsonNode> seen) {
    // Commits and releases are sends, acknowledged shortly after the orders end.
    AtomicReference<Map<String, JsonNode>> last = new AtomicReference<>(Map.of());
    List<String> unsettled = new ArrayList<>();
    boolean settled = Waits.within(Audit.SETTLE, Duration.ofMillis(200), () -> {
      unsettled.clear();
      Map<String, JsonNode> views = readAll(shop, ports, unsettled);
      last.set(views);
      views.forEach((m, v) -> {
        boolean ok = v.path("unackedOutputs").asLong() == 0
            && (m.startsWith("order/") ? Shop.ended(v) : v.path("state").path("reserved").isEmpty());
        if (!ok) unsettled.add(m + ": " + v);
      });
      return unsettled.isEmpty();
    });
    seen.putAll(last.get());
    assertTrue(settled, "on the live nodes, within " + Audit.SETTLE + " not every order ended and every SKU "
        + "settled (no units reserved, nothing unacknowledged):\n  " + String.join("\n  ", unsettled));

    List<String> problems = new ArrayList<>();
    Map<String, String> charges = shop.charges(), refunds = shop.refunds();
    Map<String, String> chargeKeyOf = new HashMap<>();
    charges.forEach((key, order) -> {
      if (!shop.orders().containsKey(order)) problems.add("charge " + key + " of an unknown order " + order);
      else if (!key.startsWith("order/" + order + "/")) problems.add("charge " + key + " of " + order + " under another machine's key");
      String before = chargeKeyOf.put(order, key);
      if (before != null) problems.add(order + " charged under two keys: " + before + " and " + key);
    });
    refunds.forEach((key, order) -> {
      if (!order.equals(charges.get(key))) problems.add("refund of " + key + " for " + order + ", charged for " + charges.get(key));
    });
    Map<String, Integer> sold = new TreeMap<>();
    int confirmed = 0, refunded = 0, declined = 0, outOfStock = 0;
    for (Shop.Order o : shop.orders().values()) {
      JsonNode state = seen.get("order/" + o.id()).path("state");
      String key = chargeKeyOf.get(o.id());
      if (Shop.CONFIRMED.equals(state.path("status").asText())) {
        confirmed++;
        if (key == null) problems.add(o.id() + " confirmed but not charged: " + state);
        else if (!key.equals(state.path("chargeKey").asText())) problems.add(o.id() + " confirmed with charge key "
            + state.path("chargeKey").asText() + " but charged under " + key);
        if (key != null && refunds.containsKey(key)) problems.add(o.id() + " confirmed and refunded");
        if (o.declined()) problems.add(o.id() + " confirmed with the declined card " + o.card());
        o.units().forEach((sku, n) -> sold.merge(sku, n, Integer::sum));
      } else {
        if (key != null && !refunds.containsKey(key)) problems.add(o.id() + " cancelled (" + state.path("reason").asText()
            + ") but charged under " + key + " and not refunded");
        if (key != null) refunded++;
        if (state.path("chargeKey").isNull() || state.path("chargeKey").isMissingNode()) outOfStock++;
        else if (o.declined()) declined++;
      }
    }
    if (confirmed == 0) problems.add("no order was confirmed: the scenario tested compensation only");
    for (String sku : shop.skus()) {
      JsonNode s = seen.get("inventory/" + sku).path("state");
      int received = s.path("received").asInt(), available = s.path("available").asInt(), soldUnits = s.path("sold").asInt();
      if (received != shop.stockPerSku()) problems.add(sku + ": received " + received + ", stocked " + shop.stockPerSku());
      if (received != available + soldUnits) problems.add(sku + ": received " + received + " != available " + available
          + " + sold " + soldUnits);
      if (soldUnits != sold.getOrDefault(sku, 0)) problems.add(sku + ": sold " + soldUnits
          + ", the confirmed orders hold " + sold.getOrDefault(sku, 0));
    }
    assertEquals(List.of(), problems, "the saga's outcome on the live nodes, against the gateway's record in "
        + shop.gatewayDir());
    return String.format("audit, live nodes: %d orders ended (%d confirmed, each charged once; %d cancelled: %d never "
            + "charged (stock refused or not answered), %d whose payment failed: %d declined cards, %d refunded after a charge); "
            + "%d SKUs balance, %d units sold = the confirmed orders'; gateway: %d charges, %d refunds, %d attempts",
        shop.orders().size(), confirmed, shop.orders().size() - confirmed, outOfStock,
        shop.orders().size() - confirmed - outOfStock, declined, refunded, shop.skus().size(),
        sold.values().stream().mapToInt(Integer::intValue).sum(), charges.size(), refunds.size(),
        shop.gatewayAttempts().size());
  }

  /** Part 2: the journal, read from the test JVM (no node running). */
  public static String journalAgrees(Shop shop, Database db, Map<String, JsonNode> seen) {
    assertEquals(shop.orderIds().stream().map(id -> ORDER + id).sorted().toList(), db.persistenceIds(ORDER),
        "the orders journaled in " + db + " are the orders placed");
    assertEquals(shop.skus().stream().map(id -> INVENTORY + id).sorted().toList(), db.persistenceIds(INVENTORY),
        "the SKUs journaled in " + db + " are the SKUs stocked");
    List<String> problems = new ArrayList<>();
    long events = 0, effectOutcomes = 0;
    for (String id : shop.orderIds()) {
      List<StepTaken> taken = journal(db, ORDER, id, seen.get("order/" + id), "place-" + id, problems);
      events += taken.size();
      long asked = taken.stream().mapToLong(s -> s.effects().size()).sum();
      long outcomes = taken.stream().filter(s -> s.origin() instanceof Origin.Effect).count();
      effectOutcomes += outcomes;
      if (asked != outcomes) problems.add("order/" + id + ": " + asked + " effects requested, " + outcomes + " outcomes handled");
      JsonNode view = seen.get("order/" + id);
      if (view != null) {
        boolean paid = !view.path("state").path("chargeKey").isNull() && !view.path("state").path("chargeKey").isMissingNode();
        long expected = Shop.CONFIRMED.equals(Shop.status(view)) ? 1 : paid ? 2 : 0;
        if (outcomes != expected) problems.add("order/" + id + " (" + Shop.status(view) + (paid ? ", charged" : "")
            + "): " + outcomes + " effect outcomes journaled, expected " + expected);
      }
    }
    for (String sku : shop.skus()) events += journal(db, INVENTORY, sku, seen.get("inventory/" + sku), "stock-" + sku, problems).size();
    assertEquals(List.of(), problems, "the journal in " + db);
    return String.format("audit, journal (%s): %d steps of %d orders and %d SKUs, each key applied once, no origin "
        + "handled twice, %d effect outcomes each handled once", db.kind(), events, shop.orders().size(), shop.skus().size(),
        effectOutcomes);
  }

  /** The steps of machine {@code prefix + id}, checked: one step for {@code key}, no origin twice, the step count seen. */
  private static List<StepTaken> journal(Database db, String prefix, String id, JsonNode seen, String key, List<String> problems) {
    String machine = prefix.substring(4, prefix.length() - 1) + "/" + id;
    List<Database.JournalRow> rows = db.journal(prefix + id);
    List<StepTaken> taken = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      if (rows.get(i).seqNr() != i + 1) problems.add(machine + ": journal sequence numbers are not 1..n: " + rows.get(i).seqNr() + " at " + (i + 1));
      taken.addAll(Audit.steps(machine, rows.get(i)));
    }
    Set<String> origins = new HashSet<>();
    List<String> keys = new ArrayList<>();
    for (StepTaken step : taken) {
      Origin o = step.origin();
      if (o instanceof Origin.External x) keys.add(String.valueOf(x.key()));
      if (!origins.add(o.toString())) problems.add(machine + ": two steps of origin " + o);
    }
    if (!keys.equals(List.of(key))) problems.add(machine + ": external steps with keys " + keys + ", expected [" + key + "]");
    if (seen != null && seen.path("seqNr").asLong() != taken.size())
      problems.add(machine + ": " + taken.size() + " steps journaled, the live node reported seqNr " + seen.path("seqNr"));
    return taken;
  }

  /**
   * Part 3: a fresh node, its whole journal replayed, answers for every order and SKU with what
   * the live nodes last answered; the gateway records no attempt meanwhile. No other node may run.
   */
  public static String recoverAllOnFreshNode(Scenario scenario, Shop shop, Map<String, JsonNode> seen) {
    int attemptsBefore = shop.gatewayAttempts().size();
    NodeProcess fresh = scenario.freshNode()
        .set("rsm.persistence.recover-from-snapshots", "off")
        .set("rsm.sample.gateway.dir", shop.gatewayDir().toString());
    fresh.start().awaitReady(NodeCluster.START_TIMEOUT);
    long t0 = System.nanoTime();
    List<String> problems = new ArrayList<>();
    Waits.within(Audit.SETTLE, Duration.ofMillis(200), () -> {
      problems.clear();
      readAll(shop, List.of(fresh.httpPort()), problems).forEach((m, v) -> {
        JsonNode before = seen.get(m);
        if (before != null && (!Shop.canonicalState(before).equals(Shop.canonicalState(v))
            || before.path("seqNr").asLong() != v.path("seqNr").asLong()))
          problems.add(m + ": " + v.path("state") + " seqNr " + v.path("seqNr") + ", live nodes answered "
              + before.path("state") + " seqNr " + before.path("seqNr"));
      });
      return problems.isEmpty();
    });
    double took = (System.nanoTime() - t0) / 1e9;
    Set<String> divergences = fresh.distinctLogMatches(Audit.DIVERGENCE);
    fresh.kill();
    assertEquals(List.of(), problems, "on a fresh node, not every order and SKU recovered from the whole journal "
        + "with the state the live nodes had within " + Audit.SETTLE + "; the node logged "
        + (divergences.isEmpty() ? "no replay divergence" : divergences));
    List<String> attempts = shop.gatewayAttempts();
    assertEquals(attemptsBefore, attempts.size(), "the fresh node executed effects again, though none was pending: "
        + attempts.subList(attemptsBefore, attempts.size()));
    return String.format("audit, fresh node %s (whole journal, no snapshots): all %d orders and %d SKUs recovered with "
        + "the same state and step count in %.1f s, no effect executed again", fresh.name(), shop.orders().size(),
        shop.skus().size(), took);
  }
}
