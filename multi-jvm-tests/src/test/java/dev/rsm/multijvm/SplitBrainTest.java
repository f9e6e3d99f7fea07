package dev.rsm.multijvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rsm.multijvm.harness.Audit;
import dev.rsm.multijvm.harness.Bank;
import dev.rsm.multijvm.harness.MultiJvmExtension;
import dev.rsm.multijvm.harness.NodeCluster;
import dev.rsm.multijvm.harness.NodeProcess;
import dev.rsm.multijvm.harness.Probe;
import dev.rsm.multijvm.harness.Scenario;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Scenario 4: a split brain. Two clusters with no shared membership run on the same database and
 * both host the same accounts; the clients alternate between them. Sharding's single writer is
 * gone. With leases (the default) each shard's lease, in the shared database, goes to one side:
 * only that side serves the shard's machines, the other answers 503, and no write is ever fenced.
 * Without leases both sides serve every machine, and the journal's primary key {@code
 * (persistence_id, sequence_number)} is what keeps every effect single: a stale incarnation's write
 * fails and it recovers from the journal.
 */
@ExtendWith(MultiJvmExtension.class)
class SplitBrainTest {
  /**
   * Named in PostgreSQL's error when a write hits an existing (persistence_id, sequence_number):
   * {@code duplicate key value violates unique constraint "event_journal_pkey"} (the constraint's
   * name, unlike the sentence, is the same in every server locale).
   */
  static final String FENCED = "\"event_journal_pkey\"";
  /** How a machine's failed step write is logged (with the database's error as its cause). */
  // One step (StepTaken) or several written together (StepsTaken).
  static final String STEP_FAILED = "Failed to persist event type [dev.rsm.persistence.internal.Step";
  /** How a node logs a lease it stopped believing it holds (LeaseStore), before Pekko stops the shard. */
  static final String LEASE_LOST = "lost JdbcLease(";

  @ParameterizedTest(name = "leases {0}")
  @ValueSource(strings = {"on", "off"})
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void noEffectIsAppliedTwiceWhenTwoClustersRunTheSameMachines(String leases, Scenario scenario) {
    String useLease = leases.equals("on") ? "rsm.lease" : "";
    // With leases, a request that reaches the side without its account's lease waits in Pekko's
    // shard for the lease until the node's request timeout: a short one keeps the test short.
    String requestTimeout = leases.equals("on") ? "1s" : "3s";
    NodeCluster left = scenario.cluster("left", 1).set("pekko.cluster.sharding.use-lease", useLease)
        .set("rsm.http.request-timeout", requestTimeout);
    NodeCluster right = scenario.cluster("right", 1).set("pekko.cluster.sharding.use-lease", useLease)
        .set("rsm.http.request-timeout", requestTimeout);
    if (leases.equals("on"))
      // The shipped lease, not the harness's shorter one: a lease lost to a stalled renewal would
      // leave its accounts served by neither side until it expired, which this case asserts against.
      for (NodeCluster side : List.of(left, right))
        side.set("rsm.lease.heartbeat-timeout", "10s").set("rsm.lease.heartbeat-interval", "2s")
            .set("rsm.lease.safety-margin", "2s");
    NodeCluster.startTogether(left, right); // each saw itself alone: 1 member Up
    NodeProcess l = left.node(0);
    NodeProcess r = right.node(0);
    // Each request, and each retry, goes to the other cluster than the one before.
    Bank bank = scenario.bank(12, 3, List.of(l.httpPort(), r.httpPort()));
    bank.open();
    bank.startTransfers();
    bank.awaitMoreTransfers(leases.equals("on") ? 30 : 60, Duration.ofSeconds(150));
    // While the clients still send: who answers a read of each account now.
    Map<String, HttpResponse<String>> fromLeft = Probe.readAll(bank.accounts(), l.httpPort(), Duration.ofSeconds(6));
    Map<String, HttpResponse<String>> fromRight = Probe.readAll(bank.accounts(), r.httpPort(), Duration.ofSeconds(6));
    bank.stopTransfers();
    long fenced = l.countLogEntries(STEP_FAILED, FENCED) + r.countLogEntries(STEP_FAILED, FENCED);
    Map<String, String> servedBy = new TreeMap<>();
    for (String a : bank.accounts())
      servedBy.put(a, status(fromLeft.get(a)) + " from " + l.name() + ", " + status(fromRight.get(a)) + " from " + r.name());
    System.out.printf("[multi-jvm] split brain, leases %s: %s answered %d requests, %s answered %d, for the same 12 "
            + "accounts; %d stale machine writes were fenced by the journal's primary key; reads: %s%n", leases,
        l.name(), bank.answeredBy(l.httpPort()), r.name(), bank.answeredBy(r.httpPort()), fenced, servedBy);
    System.out.println("[multi-jvm] " + bank.summary());
    // The split brain ends the way downing ends one: the nodes go away. Only a fresh node reads the
    // truth, from the journal (either side may still hold a stale copy of an account in memory).
    System.out.println("[multi-jvm] " + Audit.afterScenario(scenario, bank, List.of()));
    if (leases.equals("on")) {
      List<String> both = bank.accounts().stream()
          .filter(a -> status(fromLeft.get(a)) == 200 && status(fromRight.get(a)) == 200).toList();
      List<String> neither = bank.accounts().stream()
          .filter(a -> status(fromLeft.get(a)) != 200 && status(fromRight.get(a)) != 200).toList();
      assertEquals(List.of(), both, "accounts both sides served at once");
      assertEquals(List.of(), neither, "accounts neither side served");
      for (String a : bank.accounts()) {
        int refused = status(fromLeft.get(a)) == 200 ? status(fromRight.get(a)) : status(fromLeft.get(a));
        assertEquals(503, refused, "the side without " + a + "'s lease answers 503");
      }
      // A write is checked against the lease before it is sent; one that reaches the database
      // more than safety-margin later, after the lease moved (its holder stalled for longer than
      // the lease's belief), is fenced by the journal's primary key: the residual risk
      // docs/leases.md states. So a fenced write is allowed only where a lease was lost.
      long leasesLost = l.countLogEntries(LEASE_LOST) + r.countLogEntries(LEASE_LOST);
      if (leasesLost == 0)
        assertEquals(0, fenced, "with leases and none lost, no side wrote a machine the other held; fenced: "
            + l.logEntries(STEP_FAILED, FENCED) + r.logEntries(STEP_FAILED, FENCED));
      else
        System.out.printf("[multi-jvm] split brain, leases on: %d leases were lost (a node stalled past its lease's "
            + "belief), %d stale writes fenced%n", leasesLost, fenced);
    } else {
      assertTrue(bank.answeredBy(l.httpPort()) > 0 && bank.answeredBy(r.httpPort()) > 0, "both clusters served");
      assertTrue(fenced > 0, "both clusters wrote the same machines, so some stale write was fenced");
    }
  }

  private static int status(HttpResponse<String> r) {
    return r == null ? -1 : r.statusCode();
  }
}
