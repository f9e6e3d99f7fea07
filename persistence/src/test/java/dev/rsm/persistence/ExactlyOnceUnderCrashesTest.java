package dev.rsm.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.Address;
import dev.rsm.persistence.FaultInjector.Point;
import dev.rsm.persistence.machines.BankAccount;
import dev.rsm.persistence.machines.RingNode;
import dev.rsm.persistence.testing.Await;
import dev.rsm.persistence.testing.RandomCrashes;
import dev.rsm.persistence.testing.TestNode;
import dev.rsm.persistence.testing.TestStores;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Machines crash at random boundaries (before the journal write, after it and before the sends,
 * after the sends and before the acknowledgement, during recovery) while they exchange thousands of
 * messages. At the end, checked from the machines' own state: every message handled exactly once,
 * in order per channel, and money conserved.
 */
class ExactlyOnceUnderCrashesTest {
  static final long SEED = Long.getLong("rsm.test.seed", System.nanoTime());
  static final int RING = 5;

  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2, TestStores.POSTGRES})
  void aRingPassesThousandsOfMessagesExactlyOnceInOrderWhileMachinesCrash(String store) throws Exception {
    System.out.println("ring seed " + SEED + " (rerun with -Drsm.test.seed=" + SEED + ")");
    RandomCrashes crashes = new RandomCrashes(SEED, 0.01, 0.02, 300);
    // Small snapshots interval so recoveries start from snapshots too; small window to exercise it.
    var extra = ConfigFactory.parseString(
        "rsm.persistence { snapshot-every = 25, delivery.window = 8 }");
    int emits = 20, perEmit = 25, hops = 4; // 5 nodes x 500 messages x 4 hops = 10,000 steps
    try (TestNode node = new TestNode("ring", TestStores.fresh(store), MachineRegistry.of(RingNode.TYPE), extra, crashes)) {
      ExecutorService clients = Executors.newFixedThreadPool(RING);
      List<CompletableFuture<?>> done = new ArrayList<>();
      for (int i = 0; i < RING; i++) {
        Address a = RingNode.TYPE.address("ring-" + i);
        done.add(CompletableFuture.runAsync(() -> {
          for (int e = 0; e < emits; e++)
            node.askUntilAnswered(a, "emit-" + e, new RingNode.Emit(perEmit, hops, RING));
        }, clients));
      }
      CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get();
      clients.shutdown();

      long perChannel = (long) emits * perEmit * hops; // each node relays its own and 3 others'
      for (int i = 0; i < RING; i++) {
        Address a = RingNode.TYPE.address("ring-" + i);
        String prev = "ring-" + ((i + RING - 1) % RING);
        MachineView v = Await.until(a + " received every message", Duration.ofSeconds(120),
            () -> node.state(a), s -> ((RingNode.State) s.state()).lastFrom().getOrDefault(prev, 0L) >= perChannel);
        RingNode.State s = (RingNode.State) v.state();
        assertEquals(0, s.violations(), "messages lost, duplicated or reordered at " + a + " (seed " + SEED + ")");
        assertEquals(perChannel, s.lastFrom().get(prev), "channel " + prev + " -> " + a + " (seed " + SEED + ")");
        assertEquals(perChannel, s.handled(), "handled exactly once at " + a + " (seed " + SEED + ")");
      }
      Map<Point, Integer> counts = crashes.counts();
      System.out.println("ring crashes injected: " + counts);
      for (Point p : List.of(Point.BEFORE_JOURNAL, Point.AFTER_JOURNAL_BEFORE_SEND, Point.AFTER_SEND_BEFORE_ACK, Point.DURING_RECOVERY))
        assertTrue(counts.getOrDefault(p, 0) > 0, "no crash was injected at " + p + ": " + counts);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2, TestStores.POSTGRES})
  void aBankConservesMoneyAndMatchesTheLedgerWhileMachinesCrash(String store) throws Exception {
    System.out.println("bank seed " + SEED + " (rerun with -Drsm.test.seed=" + SEED + ")");
    RandomCrashes crashes = new RandomCrashes(SEED, 0.01, 0.02, 200);
    var extra = ConfigFactory.parseString("rsm.persistence.snapshot-every = 20");
    int accounts = 8, initial = 1000, transfers = 1500, clients = 4;
    try (TestNode node = new TestNode("bank", TestStores.fresh(store), MachineRegistry.of(BankAccount.TYPE), extra, crashes)) {
      for (int i = 0; i < accounts; i++)
        node.askUntilAnswered(BankAccount.TYPE.address("acct-" + i), "open", new BankAccount.Open(initial));

      // The client-side ledger: every transfer key and the reply it finally got.
      long[] expected = new long[accounts];
      java.util.Arrays.fill(expected, initial);
      ExecutorService pool = Executors.newFixedThreadPool(clients);
      List<CompletableFuture<long[]>> parts = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        int client = c;
        parts.add(CompletableFuture.supplyAsync(() -> {
          Random r = new Random(SEED + client);
          long[] delta = new long[accounts];
          for (int t = 0; t < transfers / clients; t++) {
            // Each client owns the accounts it debits, so replies are deterministic per client.
            int from = client + clients * r.nextInt(accounts / clients);
            int to = r.nextInt(accounts);
            long amount = 1 + r.nextInt(300);
            var reply = (IngressResult.Replied) node.askUntilAnswered(BankAccount.TYPE.address("acct-" + from),
                "t-" + client + "-" + t, new BankAccount.Transfer("acct-" + to, amount));
            if (((BankAccount.Result) reply.reply()).accepted() && from != to) {
              delta[from] -= amount;
              delta[to] += amount;
            }
          }
          return delta;
        }, pool));
      }
      for (CompletableFuture<long[]> p : parts) {
        long[] d = p.get();
        for (int i = 0; i < accounts; i++) expected[i] += d[i];
      }
      pool.shutdown();

      long total = 0;
      for (int i = 0; i < accounts; i++) {
        Address a = BankAccount.TYPE.address("acct-" + i);
        long want = expected[i];
        MachineView v = Await.until(a + " matches the ledger", Duration.ofSeconds(120), () -> node.state(a),
            s -> ((BankAccount.State) s.state()).balance() == want && s.unackedOutputs() == 0);
        total += ((BankAccount.State) v.state()).balance();
      }
      assertEquals((long) accounts * initial, total, "money conserved (seed " + SEED + ")");
      System.out.println("bank crashes injected: " + crashes.counts());
      assertTrue(crashes.counts().values().stream().mapToInt(Integer::intValue).sum() > 20, "crashes were injected");
    }
  }
}
