package dev.rsm.app.sample.saga;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.Address;
import dev.rsm.actors.EffectHandler;
import dev.rsm.persistence.IngressResult;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.RuntimeOptions;
import dev.rsm.persistence.testing.Await;
import dev.rsm.persistence.testing.RandomCrashes;
import dev.rsm.persistence.testing.TestNode;
import dev.rsm.persistence.testing.TestStores;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The order saga, on H2 and PostgreSQL, with crashes injected at every boundary of the machines'
 * steps (calls made, answered, answers received, effects' outcomes journaled) and a gateway that
 * fails one attempt in three (half of those after charging): every order ends confirmed or
 * cancelled; no order is charged twice, a confirmed one is charged once and never refunded, a
 * cancelled one is not charged or refunded; every unit of stock is available or sold, and the units
 * sold are exactly those of the confirmed orders — checked against the gateway's own record.
 */
class OrderSagaTest {
  static final long SEED = Long.getLong("rsm.test.seed", System.nanoTime());
  static final MachineRegistry TYPES = MachineRegistry.of(Order.TYPE, Inventory.TYPE);
  static final List<String> SKUS = List.of("apple", "pear", "plum");
  static final int STOCK = 12;

  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2, TestStores.POSTGRES})
  void everyOrderEndsConfirmedOrCompensatedChargedAtMostOnceAndStockBalances(String store, @TempDir Path dir) {
    Random random = new Random(SEED);
    RandomCrashes crashes = new RandomCrashes(SEED, 0.03, 0.1, 60);
    PaymentGateway gateway = new PaymentGateway(dir, 0.3, 0, Duration.ZERO);
    RuntimeOptions options = Saga.effects(RuntimeOptions.defaults().withFaults(crashes), gateway);
    try (TestNode node = new TestNode("saga", TestStores.fresh(store), TYPES, ConfigFactory.parseString("""
        rsm.effects.retry { max-attempts = 3, backoff = 20ms, max-backoff = 100ms }
        rsm.effects.redeliver-interval = 300ms
        """), options)) {
      for (String sku : SKUS) node.askUntilAnswered(Inventory.TYPE.address(sku), "stock-" + sku, new Inventory.Receive(STOCK));
      Map<String, Order.Place> orders = new TreeMap<>();
      for (int i = 1; i <= 30; i++) {
        Map<String, Integer> units = new HashMap<>();
        units.put(SKUS.get(random.nextInt(3)), 1 + random.nextInt(3));
        if (random.nextBoolean()) units.put(SKUS.get(random.nextInt(3)), 1 + random.nextInt(2));
        String card = i % 7 == 0 ? "0000-declined" : "4242-" + i;
        Order.Place place = new Order.Place(card, 100L * i, units);
        orders.put("o-" + i, place);
        IngressResult r = node.askUntilAnswered(Order.TYPE.address("o-" + i), "place-" + i, place);
        assertEquals("RESERVING", ((IngressResult.Replied) r).reply(), "o-" + i);
      }
      Map<String, Order.State> ended = new TreeMap<>();
      for (String id : orders.keySet())
        ended.put(id, Await.until(id + " ending", Duration.ofSeconds(90), () -> (Order.State) node.state(Order.TYPE.address(id)).state(),
            s -> s.status() == Order.Status.CONFIRMED || s.status() == Order.Status.CANCELLED));
      crashes.disable();

      Map<String, String> charged = invert(gateway.charges(), "an order charged under two keys");
      Map<String, String> refunded = invert(gateway.refunds(), "an order refunded twice");
      Map<String, Integer> soldOf = new HashMap<>();
      int confirmed = 0;
      for (Map.Entry<String, Order.State> e : ended.entrySet()) {
        String id = e.getKey();
        Order.State s = e.getValue();
        if (s.status() == Order.Status.CONFIRMED) {
          confirmed++;
          assertTrue(charged.containsKey(id), id + " confirmed but not charged");
          assertTrue(!refunded.containsKey(id), id + " confirmed and refunded");
          assertEquals(charged.get(id), s.chargeKey(), id + " charged under the key its effect had");
          orders.get(id).units().forEach((sku, n) -> soldOf.merge(sku, n, Integer::sum));
        } else {
          assertTrue(!charged.containsKey(id) || refunded.containsKey(id), id + " cancelled (" + s.reason() + ") but charged");
        }
        if (orders.get(id).card().startsWith("0000"))
          assertEquals(Order.Status.CANCELLED, s.status(), id + " paid with a declined card");
      }
      assertTrue(confirmed > 0, "some orders went through (seed " + SEED + ")");
      for (String sku : SKUS) {
        Address a = Inventory.TYPE.address(sku);
        // Commits and releases are sends: they land shortly after the orders end.
        Inventory.State s = Await.until(sku + " settling", Duration.ofSeconds(30), () -> (Inventory.State) node.state(a).state(),
            st -> st.reserved().isEmpty());
        assertEquals(STOCK, s.received());
        assertEquals(soldOf.getOrDefault(sku, 0), s.sold(), sku + ": sold = units of the confirmed orders (seed " + SEED + ")");
        assertEquals(STOCK, s.available() + s.sold(), sku + ": every unit available or sold");
      }
      assertTrue(crashes.counts().values().stream().mapToInt(Integer::intValue).sum() > 0, "crashes were injected");
    }
  }

  /**
   * A gateway that charges and then always drops the connection: every attempt fails, the outcome
   * is a failure after max-attempts, and the order compensates — the stock released and the charge
   * the first attempt made refunded, once, under its key.
   */
  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2, TestStores.POSTGRES})
  void aChargeThatWentThroughButNeverAnsweredIsRefundedAndTheStockReleased(String store, @TempDir Path dir) {
    PaymentGateway gateway = new PaymentGateway(dir, 0, 0, Duration.ZERO);
    EffectHandler<Order.Charge> charge = gateway.charge();
    RuntimeOptions options = RuntimeOptions.defaults()
        .withEffect(Order.CHARGE, Order.Charge.class, (c, attempt) -> {
          charge.execute(c, attempt);
          throw new java.io.IOException("connection reset (after charging)");
        })
        .withEffect(Order.REFUND, Order.Refund.class, gateway.refund());
    try (TestNode node = new TestNode("saga-refund", TestStores.fresh(store), TYPES,
        ConfigFactory.parseString("rsm.effects.retry { max-attempts = 3, backoff = 20ms, max-backoff = 100ms }"), options)) {
      node.askUntilAnswered(Inventory.TYPE.address("apple"), "stock", new Inventory.Receive(5));
      node.askUntilAnswered(Order.TYPE.address("o-1"), "place", new Order.Place("4242-1", 500, Map.of("apple", 2)));
      Order.State s = Await.until("o-1 cancelled", Duration.ofSeconds(30),
          () -> (Order.State) node.state(Order.TYPE.address("o-1")).state(), st -> st.status() == Order.Status.CANCELLED);
      assertTrue(s.reason().startsWith("payment failed: IOException: connection reset"), s.reason());
      assertEquals(Map.of(s.chargeKey(), "o-1"), gateway.charges(), "charged once, under the effect's key, in 3 attempts");
      assertEquals(Map.of(s.chargeKey(), "o-1"), gateway.refunds(), "and refunded once");
      Inventory.State apple = Await.until("apple released", Duration.ofSeconds(30),
          () -> (Inventory.State) node.state(Inventory.TYPE.address("apple")).state(), st -> st.reserved().isEmpty());
      assertEquals(new Inventory.State(5, 5, Map.of(), 0), apple);
    }
  }

  /** Order id by charge key, failing if an order appears under two keys. */
  private static Map<String, String> invert(Map<String, String> byKey, String what) {
    Map<String, String> byOrder = new HashMap<>();
    byKey.forEach((key, order) -> {
      String before = byOrder.put(order, key);
      assertTrue(before == null, what + ": " + order + " under " + before + " and " + key);
    });
    return byOrder;
  }

}
