package dev.rsm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.Address;
import dev.rsm.app.machines.Sprayer;
import dev.rsm.app.sample.Account;
import dev.rsm.app.testing.Http;
import dev.rsm.app.testing.Placement;
import dev.rsm.app.testing.TestCluster;
import dev.rsm.persistence.IngressResult;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.MachineView;
import dev.rsm.persistence.testing.Await;
import dev.rsm.persistence.testing.TestStores;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Several nodes forming a real cluster in this JVM, sharing one store. */
class ClusterTest {
  static final MachineRegistry TYPES = MachineRegistry.of(Account.TYPE, Sprayer.TYPE);

  @Test
  void anIdempotentRetrySentToAnotherNodeGetsTheRecordedReply() {
    try (TestCluster cluster = new TestCluster(TestStores.fresh(TestStores.H2), TYPES, ConfigFactory.empty())) {
      RsmNode a = cluster.start();
      RsmNode b = cluster.start();
      cluster.awaitUp(2);
      HttpResponse<String> first = Http.post(a.httpPort(), "/machines/account/x", "dep-1", "{\"type\":\"deposit\",\"amount\":10}");
      HttpResponse<String> retry = Http.post(b.httpPort(), "/machines/account/x", "dep-1", "{\"type\":\"deposit\",\"amount\":10}");
      assertEquals(200, first.statusCode(), first.body());
      assertEquals(first.body(), retry.body());
      assertEquals("true", retry.headers().firstValue("Idempotent-Replayed").orElse(""));
      assertTrue(Http.get(b.httpPort(), "/machines/account/x").body().contains("\"state\":{\"balance\":10},\"seqNr\":1,"));
    }
  }

  @Test
  void outputsOfAMachineWhoseNodeCrashesAreStillDeliveredExactlyOnce() {
    var small = ConfigFactory.parseString("rsm.persistence.delivery.window = 20");
    try (TestCluster cluster = new TestCluster(TestStores.fresh(TestStores.H2), TYPES, small)) {
      List<RsmNode> nodes = List.of(cluster.start(), cluster.start(), cluster.start());
      cluster.awaitUp(3);
      List<String> targets = List.of("t1", "t2", "t3", "t4", "t5", "t6");
      Address sprayer = Sprayer.TYPE.address("s");
      int count = 300;
      RsmNode client = nodes.get(0);
      assertEquals(new IngressResult.Replied(count * targets.size(), false, 1),
          client.machines().ask(sprayer, "spray-1", new Sprayer.Spray(targets, count)).toCompletableFuture().join());

      RsmNode host = nodes.stream().filter(n -> Placement.hosts(n, sprayer)).findFirst().orElseThrow();
      MachineView before = host.machines().state(sprayer).toCompletableFuture().join();
      assertTrue(before.unackedOutputs() > 0, "the sprayer still has unacknowledged outputs: " + before);
      cluster.crash(host);
      System.out.println("crashed the sprayer's node with " + before.unackedOutputs() + " outputs unacknowledged");

      RsmNode survivor = nodes.stream().filter(n -> n != host).findFirst().orElseThrow();
      // Nobody sends the sprayer anything: it must come back by itself (remembered entity) and resend.
      for (String t : targets) {
        Address target = Sprayer.TYPE.address(t);
        MachineView v = Await.until(t + " received all " + count, Duration.ofSeconds(60),
            () -> survivor.machines().state(target, Duration.ofSeconds(2)).toCompletableFuture().join(),
            s -> ((Sprayer.State) s.state()).lastFrom().getOrDefault("s", 0L) >= count);
        Sprayer.State s = (Sprayer.State) v.state();
        assertEquals(count, s.hits(), "each hit handled exactly once at " + t);
        assertEquals(0, s.violations(), "in order, no duplicates at " + t);
      }
      Await.until("the sprayer's outbox is empty", Duration.ofSeconds(30),
          () -> survivor.machines().state(sprayer, Duration.ofSeconds(2)).toCompletableFuture().join(), v -> v.unackedOutputs() == 0);
    }
  }

  @Test
  void machinesKeepTheirStateWhenShardsRebalanceToAJoiningNode() {
    try (TestCluster cluster = new TestCluster(TestStores.fresh(TestStores.H2), TYPES, ConfigFactory.empty())) {
      RsmNode first = cluster.start();
      cluster.awaitUp(1);
      List<Address> accounts = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        Address a = Account.TYPE.address("acct-" + i);
        accounts.add(a);
        first.machines().ask(a, "open", new Account.Deposit(100 + i)).toCompletableFuture().join();
      }
      assertEquals(40, Placement.hostedIds(first, "account").size());
      RsmNode second = cluster.start();
      cluster.awaitUp(2);
      Await.until("some shards moved to the new node", Duration.ofSeconds(30),
          () -> Placement.hostedIds(second, "account").size() + Placement.hostedIds(first, "account").size() * 0, n -> n > 0);
      assertFalse(Placement.hostedIds(second, "account").isEmpty());
      for (int i = 0; i < accounts.size(); i++) {
        Address a = accounts.get(i);
        // A read may wait out a shard hand-off in progress; a client retries it, as here.
        MachineView v = Await.until(a + " answers", Duration.ofSeconds(30),
            () -> second.machines().state(a, Duration.ofSeconds(3)).toCompletableFuture().join(), x -> true);
        assertEquals(new Account.State(100 + i), v.state(), accounts.get(i) + " kept its state");
        assertEquals(1, v.seqNr());
      }
      System.out.println("after rebalance: first hosts " + Placement.hostedIds(first, "account").size()
          + ", second hosts " + Placement.hostedIds(second, "account").size());
    }
  }

  @Test
  void idleMachinesPassivateAndComeBackWithTheirState() {
    var quick = ConfigFactory.parseString("rsm.persistence.passivate-after = 500ms");
    try (TestCluster cluster = new TestCluster(TestStores.fresh(TestStores.H2), TYPES, quick)) {
      RsmNode node = cluster.start();
      cluster.awaitUp(1);
      Address a = Account.TYPE.address("sleepy");
      node.machines().ask(a, "d", new Account.Deposit(7)).toCompletableFuture().join();
      assertTrue(Placement.hosts(node, a));
      Await.until("the idle machine passivated", Duration.ofSeconds(10), () -> Placement.hosts(node, a), hosted -> !hosted);
      MachineView v = node.machines().state(a).toCompletableFuture().join();
      assertEquals(new Account.State(7), v.state());
      assertEquals(1, v.seqNr());
    }
  }
}
