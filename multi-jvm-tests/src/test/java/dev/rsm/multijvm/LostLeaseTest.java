package dev.rsm.multijvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rsm.multijvm.harness.Audit;
import dev.rsm.multijvm.harness.Bank;
import dev.rsm.multijvm.harness.Database;
import dev.rsm.multijvm.harness.MultiJvmExtension;
import dev.rsm.multijvm.harness.NodeCluster;
import dev.rsm.multijvm.harness.NodeProcess;
import dev.rsm.multijvm.harness.Probe;
import dev.rsm.multijvm.harness.Scenario;
import dev.rsm.multijvm.harness.TcpProxy;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One node of two loses the database that holds its leases (its lease connection goes through a
 * proxy that falls silent; its journal does not), under load, with the default lease settings
 * (time to live 10s, renewal every 2s, safety margin 2s). Its machines must stop answering before
 * the leases can expire in the database, at most 10s after the silence began (the last renewal was
 * before it), while the other node's machines go on; once the database is back the node takes its
 * leases again and its machines answer. The ledger holds throughout.
 */
@ExtendWith(MultiJvmExtension.class)
class LostLeaseTest {
  /** rsm.lease.heartbeat-timeout: the latest a lease renewed before the silence expires after it. */
  static final Duration TIME_TO_LIVE = Duration.ofSeconds(10);

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void aNodeCutOffFromItsLeasesFallsSilentBeforeTheyExpireAndAnswersAgainAfter(Scenario scenario) {
    Database.PostgresDatabase db = (Database.PostgresDatabase) scenario.database();
    try (TcpProxy proxy = new TcpProxy(db.serverPort())) {
      NodeCluster cluster = scenario.cluster("node", 2) // the defaults, above the harness's shorter lease
          .set("rsm.lease.heartbeat-timeout", TIME_TO_LIVE.toSeconds() + "s")
          .set("rsm.lease.heartbeat-interval", "2s")
          .set("rsm.lease.safety-margin", "2s");
      NodeProcess cut = cluster.node(0);
      NodeProcess other = cluster.node(1);
      cut.set("rsm.lease.jdbc.url", db.urlThrough(proxy.port()));
      cluster.start();
      Bank bank = scenario.bank(12, 3, cluster.httpPorts());
      bank.open();
      bank.startTransfers();
      bank.awaitMoreTransfers(40, Duration.ofSeconds(60));
      Map<String, NodeProcess> placement = cluster.placement("account", bank.accounts());
      List<String> onCut = bank.accounts().stream().filter(a -> placement.get(a) == cut).toList();
      List<String> onOther = bank.accounts().stream().filter(a -> placement.get(a) == other).toList();
      assertFalse(onCut.isEmpty(), "the node to cut off hosts accounts: " + placement);

      proxy.silence();
      long silencedAt = System.nanoTime();
      // Read the cut node's accounts through it until a second past the latest expiry.
      Map<String, Long> last200 = new HashMap<>();
      Map<String, Integer> lastStatus = new TreeMap<>();
      long watchUntil = silencedAt + TIME_TO_LIVE.plusSeconds(2).toNanos();
      while (System.nanoTime() < watchUntil) {
        Probe.readAllTimed(onCut, cut.httpPort(), Duration.ofSeconds(4)).forEach((a, r) -> {
          lastStatus.put(a, r.status());
          if (r.status() == 200) last200.merge(a, r.answeredAt(), Math::max);
        });
        LockSupport.parkNanos(Duration.ofMillis(100).toNanos()); // a refusal returns at once
      }
      long silentAfter = last200.values().stream().mapToLong(Long::longValue).max().orElse(silencedAt) - silencedAt;
      Map<String, HttpResponse<String>> othersDuring = Probe.readAll(onOther, other.httpPort(), Duration.ofSeconds(6));

      proxy.restore();
      long restoredAt = System.nanoTime();
      Duration back = Probe.untilAllServed(onCut, List.of(cut.httpPort()), restoredAt, Duration.ofSeconds(60));
      bank.awaitMoreTransfers(30, Duration.ofSeconds(60));
      bank.stopTransfers();

      System.out.printf("[multi-jvm] %s cut off from its leases' database (hosting %s): its machines answered their "
              + "last read %.1f s after the silence began (leases expire at most %d s after it), then %s; %s's %d "
              + "accounts answered meanwhile: %s; after the database came back every one answered again within %.1f s%n",
          cut.name(), onCut, silentAfter / 1e9, TIME_TO_LIVE.toSeconds(), lastStatus, other.name(), onOther.size(),
          statuses(othersDuring), back.toMillis() / 1000.0);
      System.out.println("[multi-jvm] " + bank.summary());
      System.out.println("[multi-jvm] " + Audit.afterScenario(scenario, bank, cluster.httpPorts()));
      assertTrue(silentAfter < TIME_TO_LIVE.toNanos(), "a machine answered after its lease may have expired: "
          + silentAfter / 1_000_000 + " ms after the silence began");
      for (var e : lastStatus.entrySet())
        assertEquals(503, e.getValue(), e.getKey() + " is refused while its node holds no lease");
      for (String a : onOther)
        assertEquals(200, othersDuring.get(a) == null ? -1 : othersDuring.get(a).statusCode(),
            a + ", on the node that kept its leases, answered during the outage");
    }
  }

  private static Map<String, Integer> statuses(Map<String, HttpResponse<String>> reads) {
    Map<String, Integer> s = new TreeMap<>();
    reads.forEach((a, r) -> s.put(a, r == null ? -1 : r.statusCode()));
    return s;
  }
}
