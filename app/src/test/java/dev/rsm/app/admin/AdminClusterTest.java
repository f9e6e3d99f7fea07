package dev.rsm.app.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.Address;
import dev.rsm.app.RsmNode;
import dev.rsm.app.machines.Brittle;
import dev.rsm.app.testing.Http;
import dev.rsm.app.testing.Placement;
import dev.rsm.app.testing.TestCluster;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.testing.Await;
import dev.rsm.persistence.testing.TestStores;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The admin API of one node answers for the whole cluster: every node's rejections, the replica
 * monitor wherever it runs, and each member's shards (messages between nodes, serialized).
 */
class AdminClusterTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void anyNodeShowsTheRejectionsOfEveryNodeTheMonitorAndEveryMembersShards() throws Exception {
    try (TestCluster cluster = new TestCluster(TestStores.fresh(TestStores.H2), MachineRegistry.of(Brittle.TYPE),
        ConfigFactory.parseString("""
            rsm.node.management = on
            pekko.management.http.port = 0
            rsm.replica-monitor.enabled = on
            """))) {
      RsmNode one = cluster.start();
      RsmNode two = cluster.start();
      cluster.awaitUp(2);
      // A failing input on a machine of each node: each node records its own machines' rejections.
      Set<RsmNode> failedOn = new HashSet<>();
      for (int i = 1; failedOn.size() < 2 && i <= 40; i++) {
        Address b = Brittle.TYPE.address("b-" + i);
        assertEquals(500, Http.post(one.httpPort(), "/machines/brittle/" + b.id(), null,
            "{\"type\":\"fail\",\"why\":\"from " + i + "\"}").statusCode());
        Address woken = b;
        RsmNode host = Await.until(b + " is placed", Duration.ofSeconds(5),
            () -> Placement.hosts(one, woken) ? one : Placement.hosts(two, woken) ? two : null, n -> n != null);
        failedOn.add(host);
      }
      assertEquals(2, failedOn.size(), "failures on both nodes");

      // The receptionist learns of the other node's peer by gossip, shortly after it starts.
      JsonNode r = Await.until("node 2 hears from both nodes", Duration.ofSeconds(15),
          () -> get(two.managementPort(), "/admin/rejections"), n -> n.path("nodes").size() == 2);
      Set<String> nodes = new HashSet<>();
      r.path("rejections").forEach(x -> nodes.add(x.path("node").asText()));
      assertEquals(Set.of(one.system().address().toString(), two.system().address().toString()), nodes, r.toString());
      assertEquals(2, r.path("nodes").size());
      assertEquals(0, r.path("silent").size());
      long previous = Long.MAX_VALUE;
      for (JsonNode x : r.path("rejections")) {
        assertTrue(x.path("at").asLong() <= previous, "newest first: " + r);
        previous = x.path("at").asLong();
      }

      JsonNode d = Await.until("the monitor answers node 2 from node 1", Duration.ofSeconds(20),
          () -> get(two.managementPort(), "/admin/divergences"), n -> n.path("monitor").asText().equals("on"));
      assertEquals(one.system().address().toString(), d.path("status").path("runsOn").asText(), "the oldest node runs it");

      JsonNode c = get(two.managementPort(), "/admin/cluster");
      assertEquals(2, c.path("members").size());
      int machines = 0;
      for (JsonNode m : c.path("members")) {
        assertTrue(m.path("types").path("brittle").has("shards"), m.toString());
        machines += m.path("machines").asInt();
      }
      assertTrue(machines >= 2, c.toString());
    }
  }

  static JsonNode get(int port, String path) {
    HttpResponse<String> r = Http.get(port, path);
    assertEquals(200, r.statusCode(), path + ": " + r.body());
    try {
      return JSON.readTree(r.body());
    } catch (Exception e) {
      throw new AssertionError(r.body(), e);
    }
  }
}
