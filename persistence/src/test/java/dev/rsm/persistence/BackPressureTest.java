package dev.rsm.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.Address;
import dev.rsm.persistence.machines.BankAccount;
import dev.rsm.persistence.machines.RingNode;
import dev.rsm.persistence.testing.Await;
import dev.rsm.persistence.testing.TestNode;
import dev.rsm.persistence.testing.TestStores;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * Back-pressure ({@code delivery.max-unacked}) never deadlocks: a machine over its limit refuses
 * new work from outside, but still handles (and so acknowledges) inputs from other machines. Two
 * machines at the limit toward each other, or a ring whose every input is forwarded, make
 * progress until every output is acknowledged.
 */
class BackPressureTest {
  static final Config TIGHT = ConfigFactory.parseString(
      "rsm.persistence.delivery { window = 5, max-unacked = 5 }");

  @Test
  void twoAccountsTransferringToEachOtherOverTheLimitBothFinish() throws Exception {
    Address a = BankAccount.TYPE.address("a");
    Address b = BankAccount.TYPE.address("b");
    ExecutorService clients = Executors.newFixedThreadPool(40);
    try (TestNode node = new TestNode("cycle", TestStores.fresh(TestStores.H2),
        MachineRegistry.of(BankAccount.TYPE), TIGHT, FaultInjector.NONE)) {
      node.ask(a, "open-a", new BankAccount.Open(1000));
      node.ask(b, "open-b", new BankAccount.Open(1000));
      List<CompletableFuture<IngressResult>> transfers = new ArrayList<>();
      long aToB = 0, bToA = 0;
      for (int i = 1; i <= 20; i++) {
        int n = i;
        aToB += n;
        bToA += 2 * n;
        transfers.add(CompletableFuture.supplyAsync(
            () -> node.askUntilAnswered(a, "a-" + n, new BankAccount.Transfer("b", n)), clients));
        transfers.add(CompletableFuture.supplyAsync(
            () -> node.askUntilAnswered(b, "b-" + n, new BankAccount.Transfer("a", 2 * n)), clients));
      }
      for (CompletableFuture<IngressResult> t : transfers) {
        IngressResult r = t.get();
        assertEquals(true, ((BankAccount.Result) assertInstanceOf(IngressResult.Replied.class, r).reply()).accepted());
      }
      long expectA = 1000 - aToB + bToA, expectB = 1000 - bToA + aToB;
      Await.until("both accounts settled, every credit acknowledged", Duration.ofSeconds(30),
          () -> List.of(node.state(a), node.state(b)),
          v -> v.get(0).unackedOutputs() == 0 && v.get(1).unackedOutputs() == 0
              && v.get(0).state().equals(new BankAccount.State(expectA, 20))
              && v.get(1).state().equals(new BankAccount.State(expectB, 20)));
      // And the machines take new work again.
      assertEquals(new BankAccount.Result(true, expectA + 1),
          ((IngressResult.Replied) node.ask(a, "after", new BankAccount.Open(1))).reply());
    } finally {
      clients.shutdownNow();
    }
  }

  @Test
  void aRingWhoseEveryInputIsForwardedDrainsPastTheLimit() {
    int size = 2, count = 30, hops = 10;
    try (TestNode node = new TestNode("ring", TestStores.fresh(TestStores.H2),
        MachineRegistry.of(RingNode.TYPE), TIGHT, FaultInjector.NONE)) {
      for (int i = 0; i < size; i++)
        node.askUntilAnswered(RingNode.TYPE.address("ring-" + i), "emit", new RingNode.Emit(count, hops, size));
      Await.until("every hop handled, nothing unacknowledged", Duration.ofSeconds(60), () -> {
        long handled = 0, unacked = 0, violations = 0;
        for (int i = 0; i < size; i++) {
          MachineView v = node.state(RingNode.TYPE.address("ring-" + i));
          RingNode.State s = (RingNode.State) v.state();
          handled += s.handled();
          violations += s.violations();
          unacked += v.unackedOutputs();
        }
        return List.of(handled, unacked, violations);
      }, r -> r.equals(List.of((long) size * count * hops, 0L, 0L)));
    }
  }
}
