package dev.rsm.multijvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rsm.multijvm.harness.Audit;
import dev.rsm.multijvm.harness.Bank;
import dev.rsm.multijvm.harness.MultiJvmExtension;
import dev.rsm.multijvm.harness.NodeCluster;
import dev.rsm.multijvm.harness.NodeProcess;
import dev.rsm.multijvm.harness.Probe;
import dev.rsm.multijvm.harness.Scenario;
import dev.rsm.multijvm.harness.Waits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A node of a three-node cluster on PostgreSQL is frozen with SIGSTOP under load, stays frozen
 * past failure detection, downing and the takeover of its machines by the two others, and is
 * resumed with SIGCONT while the clients still send to it. Nothing it does after resuming may lose
 * or double a write (the journal fences its stale machines' writes), and no read it answers may be
 * older than what the survivors had already shown. The load pauses just before the freeze, so the
 * node is frozen holding its machines idle in memory, and reads sent to it while it is still frozen
 * wait in its sockets for the moment it resumes. Hibernation is on (after 1s), so its machines
 * have hibernated by then and wake on those reads: the hibernated copy is the one that once wrote
 * past the fence. (An awake stale copy is the one SplitBrainTest and LostLeaseTest hold.)
 *
 * <p>Two things keep such a node from answering stale reads: its shards' leases ran out while it was
 * frozen (its machines answer nothing without them), and Pekko itself, which hears within a fraction
 * of a second of the resume that the others quarantined it and stops its shard region. On one
 * machine's loopback network the second always comes first, so this scenario passes with leases
 * off too; what leases add is the case where the node does not hear from the others at all (a
 * partition the clients still reach): SplitBrainTest and LostLeaseTest.
 */
@ExtendWith(MultiJvmExtension.class)
class NodeFrozenTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void aNodeResumedAfterItsMachinesMovedServesNothingStaleAndLosesAndDoublesNothing(Scenario scenario) {
    NodeCluster cluster = scenario.cluster("node", 3).set("rsm.persistence.hibernate-after", "1s").start();
    Bank bank = scenario.bank(12, 3, cluster.httpPorts()); // the clients keep the frozen node in their list
    bank.open();
    bank.startTransfers();
    bank.awaitMoreTransfers(50, Duration.ofSeconds(60));
    // A pause in the load, so the node is frozen with its machines in memory and none of them
    // writing: what a zombie could serve from memory after it resumes.
    bank.stopTransfers();
    Map<String, Long> atFreeze = seqNrs(Probe.readAll(bank.accounts(), cluster.node(0).httpPort(), Duration.ofSeconds(6)));

    NodeProcess victim = cluster.busiest("account", bank.accounts());
    List<String> hosted = cluster.placement("account", bank.accounts()).entrySet().stream()
        .filter(e -> e.getValue() == victim).map(Map.Entry::getKey).sorted().toList();
    assertFalse(hosted.isEmpty(), "the node to freeze hosts accounts");
    victim.freeze();
    long frozenAt = System.nanoTime();
    bank.startTransfers(); // under load again, the frozen node still in the clients' list
    List<NodeProcess> survivors = cluster.running();
    List<Integer> survivorPorts = survivors.stream().map(NodeProcess::httpPort).toList();
    cluster.awaitMembersUp(2, Duration.ofSeconds(60)); // the survivors downed and removed it
    double downed = (System.nanoTime() - frozenAt) / 1e9;
    Duration takeover = Probe.untilAllServed(bank.accounts(), survivorPorts, frozenAt, Duration.ofSeconds(60));
    // The survivors write the moved machines: until each of them has a step the frozen node never
    // saw. (A count of transfers takes longer: every third attempt waits out its timeout on the
    // frozen node.)
    Waits.within(Duration.ofSeconds(60), Duration.ofMillis(500), () -> {
      Map<String, HttpResponse<String>> reads = Probe.readAll(hosted, survivorPorts.get(0), Duration.ofSeconds(6));
      return reads.values().stream().allMatch(r -> r != null && r.statusCode() == 200)
          && seqNrs(reads).entrySet().stream().allMatch(e -> e.getValue() > atFreeze.get(e.getKey()));
    });
    Map<String, Long> survivorSeqNrs = seqNrs(Probe.readAll(bank.accounts(), survivorPorts.get(0), Duration.ofSeconds(6)));
    List<String> movedOn = hosted.stream().filter(a -> survivorSeqNrs.get(a) > atFreeze.get(a)).toList();
    assertFalse(movedOn.isEmpty(), "the survivors wrote some of the frozen node's machines: " + hosted);

    // Reads sent while it is still frozen wait in its sockets: it handles them the moment it resumes,
    // before it can hear that it was downed. What it answers from memory then is the zombie's read.
    long answeredBefore = bank.answeredBy(victim.httpPort());
    CompletableFuture<Map<String, HttpResponse<String>>> atThaw =
        CompletableFuture.supplyAsync(() -> Probe.readAll(bank.accounts(), victim.httpPort(), Duration.ofSeconds(15)));
    LockSupport.parkNanos(Duration.ofSeconds(1).toNanos()); // the requests reach its sockets
    victim.thaw();
    long thawedAt = System.nanoTime();
    Map<String, HttpResponse<String>> afterThaw = atThaw.join();
    boolean exited = victim.awaitExit(Duration.ofSeconds(30));
    double exitedAfter = (System.nanoTime() - thawedAt) / 1e9;
    bank.awaitMoreTransfers(30, Duration.ofSeconds(60));
    bank.stopTransfers();
    long postsAfterThaw = bank.answeredBy(victim.httpPort()) - answeredBefore;

    System.out.printf("[multi-jvm] SIGSTOP of %s (hosting %s; %s written by the survivors since): removed from the "
        + "cluster %.1f s later, every account served by the others %.1f s after the freeze; SIGCONT %.1f s after the "
        + "freeze%n", victim.name(), hosted, movedOn, downed, takeover.toMillis() / 1000.0, (thawedAt - frozenAt) / 1e9);
    System.out.println("[multi-jvm] after SIGCONT, " + victim.name() + " answered these reads (stale: its seqNr "
        + "is below what the survivors had already shown before the resume): " + describe(afterThaw, survivorSeqNrs));
    System.out.printf("[multi-jvm] after SIGCONT, %s answered %d transfer requests with 200 (all in the ledger, "
        + "audited below) and %s%n", victim.name(), postsAfterThaw,
        exited ? String.format("exited by itself %.1f s after the resume", exitedAfter)
            : "was still running 30 s after the resume");
    System.out.println("[multi-jvm] " + bank.summary());
    System.out.println("[multi-jvm] " + Audit.afterScenario(scenario, bank, survivorPorts));
    assertEquals(List.of(), stale(afterThaw, survivorSeqNrs), "reads the resumed node answered with a state older "
        + "than the survivors had shown");
  }

  /** The accounts read with a seqNr below the one the survivors had already shown. */
  private static List<String> stale(Map<String, HttpResponse<String>> reads, Map<String, Long> survivorSeqNrs) {
    return reads.entrySet().stream()
        .filter(e -> e.getValue() != null && e.getValue().statusCode() == 200
            && parse(e.getValue().body()).path("seqNr").asLong() < survivorSeqNrs.get(e.getKey()))
        .map(Map.Entry::getKey).toList();
  }

  private static Map<String, Long> seqNrs(Map<String, HttpResponse<String>> reads) {
    Map<String, Long> seqNrs = new TreeMap<>();
    reads.forEach((a, r) -> {
      if (r == null || r.statusCode() != 200) throw new AssertionError("a survivor did not serve " + a + ": " + r);
      seqNrs.put(a, parse(r.body()).path("seqNr").asLong());
    });
    return seqNrs;
  }

  /** Per account: the status, and for a 200 the seqNr served and whether it was stale. */
  private static String describe(Map<String, HttpResponse<String>> reads, Map<String, Long> survivorSeqNrs) {
    StringBuilder b = new StringBuilder();
    int ok = 0, stale = 0;
    for (var e : reads.entrySet()) {
      HttpResponse<String> r = e.getValue();
      b.append("\n[multi-jvm]   ").append(e.getKey()).append(": ");
      if (r == null) {
        b.append("no answer");
      } else if (r.statusCode() != 200) {
        b.append(r.statusCode()).append(' ').append(r.body());
      } else {
        ok++;
        long seqNr = parse(r.body()).path("seqNr").asLong();
        boolean isStale = seqNr < survivorSeqNrs.get(e.getKey());
        if (isStale) stale++;
        b.append("200 seqNr ").append(seqNr).append(isStale ? " STALE (survivors had " + survivorSeqNrs.get(e.getKey()) + ")" : "");
      }
    }
    return ok + " of " + reads.size() + " answered 200, " + stale + " of them stale:" + b;
  }

  private static JsonNode parse(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
