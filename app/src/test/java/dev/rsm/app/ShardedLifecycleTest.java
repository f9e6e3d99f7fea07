package dev.rsm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.Address;
import dev.rsm.app.sample.Account;
import dev.rsm.app.testing.Http;
import dev.rsm.app.testing.Placement;
import dev.rsm.app.testing.TestCluster;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.StepObserver;
import ch.qos.logback.classic.Level;
import dev.rsm.persistence.testing.Await;
import dev.rsm.persistence.testing.LogLines;
import dev.rsm.persistence.testing.TestStores;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * Every lifecycle transition of Cluster Sharding stops a hibernated machine exactly as an awake
 * one: passivation (the shard frees it, and the next request recovers it from the journal),
 * hand-off and shutdown (they finish without waiting for their timeout).
 */
class ShardedLifecycleTest {
  static final MachineRegistry TYPES = MachineRegistry.of(Account.TYPE);

  /** The machines that hibernated, by id. */
  static final class Hibernations implements StepObserver {
    final Set<String> ids = ConcurrentHashMap.newKeySet();

    @Override
    public void stepJournaled(Address machine, Object input, long seqNr) {
      ids.remove(machine.id());
    }

    @Override
    public void hibernated(Address machine) {
      ids.add(machine.id());
    }

    @Override
    public void woke(Address machine) {
      ids.remove(machine.id());
    }
  }

  @Test
  void aHibernatedMachineIsPassivatedAndTheNextRequestRecoversIt() {
    Hibernations hibernated = new Hibernations();
    var quick = ConfigFactory.parseString(
        "rsm.persistence { hibernate-after = 300ms, passivate-after = 1500ms }");
    try (TestCluster cluster = new TestCluster(TestStores.fresh(TestStores.H2), TYPES, quick, hibernated)) {
      RsmNode node = cluster.start();
      cluster.awaitUp(1);
      long balance = 0;
      for (int round = 1; round <= 2; round++) {
        balance += 10;
        HttpResponse<String> r = Http.post(node.httpPort(), "/machines/account/x", "dep-" + round,
            "{\"type\":\"deposit\",\"amount\":10}");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"balance\":" + balance), r.body());
        Await.until("x hibernated", Duration.ofSeconds(10), () -> hibernated.ids.contains("x"), h -> h);
        Await.until("x passivated: its shard no longer holds it", Duration.ofSeconds(15),
            () -> Placement.hostedIds(node, "account"), ids -> !ids.contains("x"));
      }
      HttpResponse<String> view = Http.get(node.httpPort(), "/machines/account/x");
      assertEquals(200, view.statusCode(), view.body());
      assertTrue(view.body().contains("\"state\":{\"balance\":20},\"seqNr\":2,"), view.body());
    }
  }

  @Test
  void aNodeWithHibernatedMachinesHandsThemOffAndShutsDownPromptly() {
    Hibernations hibernated = new Hibernations();
    var quick = ConfigFactory.parseString(
        "rsm.persistence { hibernate-after = 300ms, passivate-after = 1h }");
    List<String> ids = List.of("a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8");
    try (TestCluster cluster = new TestCluster(TestStores.fresh(TestStores.H2), TYPES, quick, hibernated)) {
      RsmNode first = cluster.start();
      RsmNode second = cluster.start();
      cluster.awaitUp(2);
      for (String id : ids)
        assertEquals(200, Http.post(first.httpPort(), "/machines/account/" + id, "dep-" + id,
            "{\"type\":\"deposit\",\"amount\":7}").statusCode());
      Await.until("every account hibernated", Duration.ofSeconds(15),
          () -> hibernated.ids.containsAll(ids), all -> all);
      RsmNode leaving = Placement.hostedIds(first, "account").isEmpty() ? second : first;
      RsmNode staying = leaving == first ? second : first;
      assertTrue(!Placement.hostedIds(leaving, "account").isEmpty(), "the leaving node hosts hibernated accounts");

      long start = System.nanoTime();
      try (LogLines logs = new LogLines()) {
        leaving.close(); // CoordinatedShutdown: unbind, hand shards off, leave
        long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
        System.out.println("[sharded lifecycle] shutdown with hand-off of hibernated machines took " + millis + " ms");
        // A shard whose entities do not stop waits out the shutdown phase's timeout (10 s) and says so.
        assertEquals(List.of(), logs.at(Level.WARN, "not stopped"));
        assertTrue(millis < 9_000, "shutdown with hand-off took " + millis + " ms");
      }

      for (String id : ids) {
        HttpResponse<String> view = Http.get(staying.httpPort(), "/machines/account/" + id);
        assertEquals(200, view.statusCode(), view.body());
        assertTrue(view.body().contains("\"state\":{\"balance\":7},\"seqNr\":1,"), view.body());
      }
    }
  }
}
