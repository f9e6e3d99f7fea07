package dev.rsm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.Address;
import dev.rsm.app.sample.Account;
import dev.rsm.app.testing.TestCluster;
import dev.rsm.persistence.IngressResult;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.testing.Await;
import dev.rsm.persistence.testing.TestStores;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/**
 * {@code rsm.replica-monitor.enabled = on}: a node runs the replica monitor as a cluster singleton,
 * here on embedded H2 in the node's own JVM, and it checks every step its machines take; its counts
 * are in JMX and at the node's {@code /metrics}.
 */
class ReplicaMonitorSingletonTest {
  @Test
  void aNodeRunsTheMonitorAndItChecksEveryStep() throws Exception {
    try (TestCluster cluster = new TestCluster(TestStores.fresh(TestStores.H2), MachineRegistry.of(Account.TYPE),
        ConfigFactory.parseString("rsm.replica-monitor { enabled = on, poll-interval = 100ms }"))) {
      RsmNode node = cluster.start();
      cluster.awaitUp(1);
      ObjectName jmx = new ObjectName("dev.rsm:type=ReplicaMonitor,name=" + ObjectName.quote(node.system().name()));
      var server = ManagementFactory.getPlatformMBeanServer();
      Await.until("the singleton started the monitor", Duration.ofSeconds(30), () -> server.isRegistered(jmx), r -> r);
      Address alice = Account.TYPE.address("alice");
      Address bob = Account.TYPE.address("bob");
      for (int i = 1; i <= 5; i++)
        assertTrue(node.machines().ask(alice, "d" + i, new Account.Deposit(10)).toCompletableFuture().join()
            instanceof IngressResult.Replied);
      node.machines().ask(alice, "t1", new Account.Transfer("bob", 20)).toCompletableFuture().join();
      Await.until("bob credited", Duration.ofSeconds(10), () -> node.machines().state(bob).toCompletableFuture().join(),
          v -> ((Account.State) v.state()).balance() == 20);
      long steps = 6 + 1; // alice's six, bob's credit
      Await.until("every step checked", Duration.ofSeconds(20), () -> {
        try {
          return (Long) server.getAttribute(jmx, "StepsChecked");
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }, n -> n == steps);
      assertEquals(0L, server.getAttribute(jmx, "Divergences"));
      // The same counts at /metrics of the node that runs it.
      String metrics = dev.rsm.app.metrics.RsmMetrics.get(node.system()).scrape().orElseThrow();
      assertTrue(metrics.contains("rsm_replica_monitor_steps_checked_total " + (double) steps), metrics);
      assertTrue(metrics.contains("rsm_replica_monitor_divergences_total 0.0"), metrics);
      assertTrue(metrics.contains("rsm_replica_monitor_lag_rows "), metrics);
      System.out.println("[replica-monitor] singleton: " + server.getAttribute(jmx, "Summary"));
    }
  }
}
