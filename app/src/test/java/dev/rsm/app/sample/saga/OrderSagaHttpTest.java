package dev.rsm.app.sample.saga;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.rsm.app.RsmNode;
import dev.rsm.app.testing.Http;
import dev.rsm.app.testing.OpenApiContract;
import dev.rsm.app.testing.TestCluster;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.RuntimeOptions;
import dev.rsm.persistence.testing.Await;
import dev.rsm.persistence.testing.TestStores;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The saga as the README shows it, over HTTP on a node: stock, an order confirmed, one paid with a
 * declined card cancelled and its stock released; then the admin API's journal of the confirmed
 * order, step by step: the order placed (with its calls), each inventory's answer, the charge's
 * outcome (origin {@code effect}) — and of an inventory, the call it answered.
 */
class OrderSagaHttpTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void anOrderConfirmsOverHttpAndItsJournalShowsItsCallsAnswersAndEffect(@TempDir Path gatewayDir) throws Exception {
    try (TestCluster cluster = new TestCluster(TestStores.fresh(TestStores.H2),
        MachineRegistry.of(Order.TYPE, Inventory.TYPE), ConfigFactory.parseMap(Map.of(
            "rsm.node.management", "on",
            "pekko.management.http.hostname", "127.0.0.1",
            "pekko.management.http.port", 0)))) {
      PaymentGateway gateway = new PaymentGateway(gatewayDir, 0, 0, Duration.ZERO);
      // o-3's charge waits until the test lets it go, to be seen pending.
      java.util.concurrent.CountDownLatch letGo = new java.util.concurrent.CountDownLatch(1);
      dev.rsm.actors.EffectHandler<Order.Charge> charge = gateway.charge();
      RsmNode node = cluster.start(ConfigFactory.empty(), RuntimeOptions.defaults()
          .withEffect(Order.CHARGE, Order.Charge.class, (c, attempt) -> {
            if (c.order().equals("o-3")) letGo.await();
            return charge.execute(c, attempt);
          })
          .withEffect(Order.REFUND, Order.Refund.class, gateway.refund()));
      cluster.awaitUp(1);
      int p = node.httpPort();
      List<Http.Exchange> exchanges = Http.record();
      assertEquals("10", post(p, "/machines/inventory/apple", "stock-apple", "{\"type\":\"receive\",\"units\":10}"));
      assertEquals("5", post(p, "/machines/inventory/pear", "stock-pear", "{\"type\":\"receive\",\"units\":5}"));
      assertEquals("\"RESERVING\"", post(p, "/machines/order/o-1", "place-o-1",
          "{\"type\":\"place\",\"card\":\"4242-4242\",\"amountCents\":1250,\"units\":{\"apple\":2,\"pear\":1}}"));
      assertEquals("\"RESERVING\"", post(p, "/machines/order/o-2", "place-o-2",
          "{\"type\":\"place\",\"card\":\"0000-0002\",\"amountCents\":900,\"units\":{\"pear\":1}}"));
      JsonNode o1 = awaitStatus(p, "o-1", "CONFIRMED");
      assertEquals("order/o-1/3/0", o1.path("state").path("chargeKey").asText());
      JsonNode o2 = awaitStatus(p, "o-2", "CANCELLED");
      assertTrue(o2.path("state").path("reason").asText().contains("declined"), o2.toString());
      JsonNode apple = Await.until("apple sold", Duration.ofSeconds(20), () -> state(p, "/machines/inventory/apple"),
          s -> s.path("state").path("sold").asInt() == 2);
      assertEquals(8, apple.path("state").path("available").asInt());
      Await.until("pear released", Duration.ofSeconds(20), () -> state(p, "/machines/inventory/pear"),
          s -> s.path("state").path("available").asInt() == 4 && s.path("state").path("sold").asInt() == 1);
      assertEquals(Map.of("order/o-1/3/0", "o-1"), gateway.charges());
      Http.stopRecording(); // every request and answer so far was one the node's OpenAPI document describes
      assertTrue(OpenApiContract.assertConforms(p, exchanges) > 4);

      JsonNode journal = JSON.readTree(Http.get(node.managementPort(), "/admin/machines/order/o-1/journal").body());
      List<String> steps = new ArrayList<>();
      for (JsonNode step : journal.path("steps")) {
        JsonNode in = step.path("input");
        steps.add(step.path("origin").path("kind").asText() + " " + in.path("type").asText()
            + (in.has("status") ? " " + in.path("status").asText() : "")
            + (in.has("ok") ? " ok=" + in.path("ok").asText() : "")
            + " sends=" + step.path("sends").size() + " effects=" + step.path("effects").size());
      }
      assertEquals(List.of("external place sends=2 effects=0", "channel reply OK sends=0 effects=0",
          "channel reply OK sends=0 effects=1", "effect effect-outcome ok=true sends=2 effects=0"), steps, journal.toString());
      JsonNode first = journal.path("steps").get(0).path("sends").get(0).path("input");
      assertTrue(first.path("call").asBoolean(), "the place step's sends are calls: " + first);
      post(p, "/machines/order/o-3", "place-o-3", "{\"type\":\"place\",\"card\":\"4242-3\",\"amountCents\":100,\"units\":{\"apple\":1}}");
      JsonNode charging = Await.until("o-3's charge pending", Duration.ofSeconds(20),
          () -> state(node.managementPort(), "/admin/machines/order/o-3"), m -> m.path("pendingEffects").size() == 1);
      JsonNode pending = charging.path("pendingEffects").get(0);
      assertEquals("charge-card", pending.path("name").asText(), charging.toString());
      assertEquals("order/o-3/2/0", pending.path("key").asText(), "one SKU: placed, answered (step 2, which charges)");
      assertEquals("4242-3", pending.path("request").path("card").asText());
      letGo.countDown();
      awaitStatus(p, "o-3", "CONFIRMED");
      JsonNode done = Await.until("o-3's charge handled", Duration.ofSeconds(20),
          () -> state(node.managementPort(), "/admin/machines/order/o-3"), m -> m.has("pendingEffects") && m.path("pendingEffects").isEmpty());
      assertEquals(3, done.path("steps").asInt(), "placed, answered, charged: " + done);
      JsonNode pear = JSON.readTree(Http.get(node.managementPort(), "/admin/machines/inventory/pear/journal").body());
      JsonNode answered = pear.path("steps").get(1);
      assertEquals("reserve", answered.path("input").path("type").asText(), pear.toString());
      assertEquals("reply", answered.path("sends").get(0).path("input").path("type").asText(), "its answer goes back");
    }
  }

  private static String post(int port, String path, String key, String body) {
    HttpResponse<String> r = Http.post(port, path, key, body);
    assertEquals(200, r.statusCode(), path + ": " + r.body());
    return r.body();
  }

  private static JsonNode state(int port, String path) {
    try {
      return JSON.readTree(Http.get(port, path).body());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode awaitStatus(int port, String order, String status) {
    return Await.until(order + " " + status, Duration.ofSeconds(30), () -> state(port, "/machines/order/" + order),
        s -> s.path("state").path("status").asText().equals(status));
  }
}
