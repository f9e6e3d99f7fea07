package dev.rsm.multijvm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rsm.multijvm.harness.Audit;
import dev.rsm.multijvm.harness.Bank;
import dev.rsm.multijvm.harness.MultiJvmExtension;
import dev.rsm.multijvm.harness.NodeCluster;
import dev.rsm.multijvm.harness.NodeProcess;
import dev.rsm.multijvm.harness.Scenario;
import dev.rsm.multijvm.harness.Waits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A split brain that hibernation could hide: two clusters with no shared membership on one
 * database, machines hibernating after one idle second, and clients that alternate between the
 * sides in bursts with a pause longer than that between them. Every burst then finds the machines
 * of its side hibernating, holding the state they had before the other side's burst. A machine
 * that wakes from that state instead of the journal's computes its steps on a stale balance and
 * writes them above the other side's rows: the journal's key cannot fence a write whose sequence
 * number is free. The fresh node of the audit replays every journal and must find each history
 * reproducible, with the ledger's balances.
 *
 * <p>Leases are off here: with them, only one side would ever serve a machine (SplitBrainTest). This
 * is the protection that remains when they are off, or when a lease is wrongly configured.
 */
@ExtendWith(MultiJvmExtension.class)
class HibernatedSplitBrainTest {
  static final String HIBERNATE_AFTER = "1s";
  /** Longer than the whole scenario: the machines hibernate and never passivate. */
  static final String PASSIVATE_AFTER = "120s";
  static final int ROUNDS = 2;
  static final int TRANSFERS_PER_WORKER = 5;

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void aMachineWakingFromHibernationComputesOnTheOtherSidesWrites(Scenario scenario) {
    NodeCluster left = scenario.cluster("left", 1)
        .set("pekko.cluster.sharding.use-lease", "")
        .set("rsm.persistence.hibernate-after", HIBERNATE_AFTER)
        .set("rsm.persistence.passivate-after", PASSIVATE_AFTER)
        .set("rsm.log.machines", "DEBUG"); // the machines' lifecycle lines, awaited below
    NodeCluster right = scenario.cluster("right", 1)
        .set("pekko.cluster.sharding.use-lease", "")
        .set("rsm.persistence.hibernate-after", HIBERNATE_AFTER)
        .set("rsm.persistence.passivate-after", PASSIVATE_AFTER)
        .set("rsm.log.machines", "DEBUG"); // the machines' lifecycle lines, awaited below
    NodeCluster.startTogether(left, right); // each saw itself alone: 1 member Up
    NodeProcess l = left.node(0);
    NodeProcess r = right.node(0);
    Bank bank = scenario.bank(12, 3, List.of(l.httpPort()));
    bank.open(); // through the left side
    for (int round = 1; round <= ROUNDS; round++) {
      awaitAllHibernated(bank, l, r); // the fault itself: both sides hold their machines, hibernated
      bank.burst(TRANSFERS_PER_WORKER, List.of(r.httpPort()));
      awaitAllHibernated(bank, l, r);
      bank.burst(TRANSFERS_PER_WORKER, List.of(l.httpPort()));
    }
    System.out.printf("[multi-jvm] hibernated split brain: %d bursts of %d transfers alternating between %s "
            + "(answered %d requests) and %s (answered %d), every machine hibernated on both before each%n",
        2 * ROUNDS, 3 * TRANSFERS_PER_WORKER, l.name(), bank.answeredBy(l.httpPort()), r.name(),
        bank.answeredBy(r.httpPort()));
    System.out.println("[multi-jvm] " + bank.summary());
    assertTrue(bank.answeredBy(l.httpPort()) > 0 && bank.answeredBy(r.httpPort()) > 0, "both clusters served");

    // Either side may hold a stale copy in memory: only a fresh node reads the truth.
    System.out.println("[multi-jvm] " + Audit.afterScenario(scenario, bank, List.of()));
  }

  private static final Pattern LIFECYCLE = Pattern.compile("machine (\\S+) (awake|hibernated)$");

  /**
   * Waits until every machine each node started or woke has hibernated since (its DEBUG lines). A
   * node that has answered the bank has started machines (before the first round, the right side
   * has not: it holds none).
   */
  static void awaitAllHibernated(Bank bank, NodeProcess... nodes) {
    for (NodeProcess n : nodes) {
      boolean served = bank.answeredBy(n.httpPort()) > 0;
      Waits.await(n.name() + "'s machines all hibernated (each machine's last lifecycle line)", Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200)) // reading the node's whole log
          .until(() -> lastLifecycle(n), last -> (!served || !last.isEmpty()) && !last.containsValue("awake"));
    }
  }

  /** Each machine's latest lifecycle state in {@code node}'s log: awake or hibernated. */
  private static Map<String, String> lastLifecycle(NodeProcess node) {
    Map<String, String> last = new HashMap<>();
    try {
      for (String line : Files.readAllLines(node.log())) {
        Matcher m = LIFECYCLE.matcher(line);
        if (m.find()) last.put(m.group(1), m.group(2));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return last;
  }
}
