package dev.rsm.multijvm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rsm.multijvm.harness.MultiJvmExtension;
import dev.rsm.multijvm.harness.NodeCluster;
import dev.rsm.multijvm.harness.NodeProcess;
import dev.rsm.multijvm.harness.SagaAudit;
import dev.rsm.multijvm.harness.Scenario;
import dev.rsm.multijvm.harness.Shop;
import dev.rsm.multijvm.harness.Waits;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The order saga sample (docs/effects.md) on three nodes and one PostgreSQL database, its orders
 * placed over HTTP, with a node killed with {@code kill -9} while orders are in flight: their calls
 * to the inventories unanswered, their charge effects being attempted. The nodes share the fake
 * payment gateway's directory; the gateway fails one attempt in five (half of those after charging)
 * and stalls one in four beyond the effects' attempt timeout. The orders of the dead node recover on the
 * survivors and start their pending effects again under the same idempotency keys.
 *
 * <p>Every order must end {@code CONFIRMED} or {@code CANCELLED}; against the gateway's record, read
 * from its directory, no order is charged twice and the outcomes agree with the charges and refunds;
 * the stock balances and sold exactly the confirmed orders' units. The {@link SagaAudit} then checks
 * the journal and recovers every machine on a fresh node.
 */
@ExtendWith(MultiJvmExtension.class)
class OrderSagaKilledNodeTest {
  static final long SEED = Long.getLong("rsm.test.seed", System.nanoTime());
  static final List<String> SKUS = List.of("apple", "fig", "pear", "plum");
  /** Against 40 orders of about three units: about half of them find their stock. */
  static final int STOCK = 20;
  static final int ORDERS = 40;

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void everyOrderEndsChargedAtMostOnceAndTheStockBalancesWhenANodeIsKilledMidSaga(Scenario scenario) {
    NodeCluster cluster = scenario.cluster("node", 3);
    Shop shop = scenario.shop(SKUS, STOCK, ORDERS, SEED, cluster.httpPorts());
    cluster.set("rsm.sample.gateway.dir", shop.gatewayDir().toString())
        .set("rsm.sample.gateway.fail-rate", "0.2")
        .set("rsm.sample.gateway.stall-rate", "0.25")
        .set("rsm.sample.gateway.stall", "5s") // longer than the attempt timeout: the attempt is interrupted
        .set("rsm.effects.retry.attempt-timeout", "1s")
        .set("rsm.effects.retry.backoff", "50ms")
        .set("rsm.effects.retry.max-attempts", "4")
        .set("rsm.effects.redeliver-interval", "500ms")
        .start();
    shop.stock();
    System.out.printf("[multi-jvm] %d orders drawn with seed %d (-Drsm.test.seed=%d to draw them again)%n", ORDERS, SEED, SEED);
    long t0 = System.nanoTime();
    shop.startOrders(4);
    shop.awaitPlaced(ORDERS / 4, Duration.ofSeconds(30));

    // Kill the node hosting the most orders with an effect pending (charging or refunding) in two
    // reads in a row: an attempt that lasts, stalled or retried, rather than one about to finish.
    Map<String, String> inFlight = new TreeMap<>();
    Set<String> pendingBefore = new HashSet<>();
    Map<String, NodeProcess> placement = new HashMap<>();
    NodeProcess victim = Waits.await("a node hosting an order with an effect pending", Duration.ofSeconds(30)).until(() -> {
      Set<String> pending = new HashSet<>();
      inFlight.clear();
      Shop.read("order", shop.placed(), List.of(cluster.node(0).httpPort()), null).forEach((id, v) -> {
        if (!Shop.ended(v)) inFlight.put(id, Shop.status(v));
        if (Shop.effectPending(v)) pending.add(id);
      });
      List<String> lasting = pending.stream().filter(pendingBefore::contains).toList();
      pendingBefore.clear();
      pendingBefore.addAll(pending);
      placement.clear();
      placement.putAll(cluster.placement("order", List.copyOf(inFlight.keySet())));
      Map<NodeProcess, Long> hosted = lasting.stream().map(placement::get)
          .filter(n -> n != null && n != cluster.node(0)) // the node the test reads through stays up
          .collect(Collectors.groupingBy(n -> n, Collectors.counting()));
      return hosted.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
    }, n -> n != null);
    Map<String, String> onVictim = new TreeMap<>();
    inFlight.forEach((id, status) -> {
      if (placement.get(id) == victim) onVictim.put(id, status);
    });
    int placedBefore = shop.placed().size();
    int attemptsBefore = shop.gatewayAttempts().size();
    long killedAt = System.nanoTime();
    victim.kill();
    System.out.printf("[multi-jvm] kill -9 of %s after %d of %d orders placed (%.1f s in), %d of them in flight on it: %s%n",
        victim.name(), placedBefore, ORDERS, (killedAt - t0) / 1e9, onVictim.size(), onVictim);
    List<NodeProcess> survivors = cluster.running();
    List<Integer> survivorPorts = survivors.stream().map(NodeProcess::httpPort).toList();

    shop.awaitAllPlaced(Duration.ofSeconds(60));
    Map<String, JsonNode> ended = shop.awaitOrdersEnded(survivorPorts, Duration.ofSeconds(60));
    long endedAt = System.nanoTime();
    Map<String, Long> byStatus = ended.values().stream().collect(Collectors.groupingBy(Shop::status, Collectors.counting()));
    System.out.printf("[multi-jvm] every order ended %.1f s after the kill: %s%n", (endedAt - killedAt) / 1e9, byStatus);
    cluster.awaitMembersUp(2, Duration.ofSeconds(30)); // the dead node was downed and removed

    // Effects started again after the kill: the gateway saw a charge or refund key's first attempt twice.
    Map<String, Integer> firstAttempts = new HashMap<>();
    for (String line : shop.gatewayAttempts()) if (line.endsWith(" attempt 1")) firstAttempts.merge(line, 1, Integer::sum);
    long restarted = firstAttempts.values().stream().filter(n -> n > 1).count();
    System.out.printf("[multi-jvm] gateway: %d attempts before the kill, %d in all; %d effects started again from "
        + "attempt 1 (recovered on a survivor)%n", attemptsBefore, shop.gatewayAttempts().size(), restarted);
    System.out.println("[multi-jvm] " + shop.summary());
    System.out.println("[multi-jvm] " + SagaAudit.afterScenario(scenario, shop, survivorPorts));
  }
}
