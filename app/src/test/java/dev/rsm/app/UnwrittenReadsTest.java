package dev.rsm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rsm.app.sample.Account;
import dev.rsm.app.testing.Http;
import dev.rsm.app.testing.Placement;
import dev.rsm.app.testing.TestCluster;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.testing.Await;
import dev.rsm.persistence.testing.TestStores;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Reading made-up machine ids costs the node nothing that lasts: each read is answered with the
 * initial state, and no machine is started, kept on the heap or remembered by sharding (which
 * would restart every one of them after a crash).
 */
class UnwrittenReadsTest {
  static final MachineRegistry TYPES = MachineRegistry.of(Account.TYPE);
  static final int GHOSTS = 300;

  @Test
  void readsOfNeverWrittenMachinesStartAndRememberNothing() {
    Config store = TestStores.fresh(TestStores.H2);
    try (TestCluster cluster = new TestCluster(store, TYPES, ConfigFactory.empty())) {
      RsmNode node = cluster.start();
      cluster.awaitUp(1);
      HttpResponse<String> deposit = Http.post(node.httpPort(), "/machines/account/real", "d1",
          "{\"type\":\"deposit\",\"amount\":5}");
      assertEquals(200, deposit.statusCode(), deposit.body());

      for (int i = 0; i < GHOSTS; i++) {
        HttpResponse<String> r = Http.get(node.httpPort(), "/machines/account/ghost-" + i);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("{\"type\":\"account\",\"id\":\"ghost-" + i + "\",\"state\":{\"balance\":0},\"seqNr\":0,"
            + "\"unackedOutputs\":0,\"armedTimers\":0}", r.body());
      }
      Set<String> hosted = Placement.hostedIds(node, "account");
      assertTrue(hosted.contains("real"), "the written machine runs: " + hosted);
      assertEquals(Set.of(), ghosts(hosted), "no read of a never-written id started a machine");

      HttpResponse<String> real = Http.get(node.httpPort(), "/machines/account/real");
      assertTrue(real.body().contains("\"state\":{\"balance\":5},\"seqNr\":1,"), real.body());
      cluster.crash(node);
    }
    // A node on the same journal restarts the remembered machines by itself: the written one, and
    // none of those that were only read.
    try (TestCluster cluster = new TestCluster(store, TYPES, ConfigFactory.empty())) {
      RsmNode node = cluster.start();
      cluster.awaitUp(1);
      Set<String> hosted = Await.until("the remembered machine restarted without a request", Duration.ofSeconds(30),
          () -> Placement.hostedIds(node, "account"), ids -> ids.contains("real"));
      assertEquals(Set.of(), ghosts(hosted), "no machine that was only read was remembered");
    }
  }

  private static Set<String> ghosts(Set<String> ids) {
    return ids.stream().filter(id -> id.startsWith("ghost-")).collect(Collectors.toSet());
  }
}
