package dev.rsm.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.Address;
import dev.rsm.persistence.machines.Counter;
import dev.rsm.persistence.machines.Fragile;
import dev.rsm.persistence.testing.Await;
import dev.rsm.persistence.testing.CrashOnce;
import dev.rsm.persistence.testing.TestNode;
import dev.rsm.persistence.testing.TestStores;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The runtime on one node: steps, sends, idempotency, restarts, bad input. On H2 and PostgreSQL. */
class RuntimeTest {
  static final MachineRegistry TYPES = MachineRegistry.of(Counter.TYPE, Fragile.TYPE);

  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2, TestStores.POSTGRES})
  void stateAndOutputsSurviveARestartOfTheWholeSystem(String store) {
    var db = TestStores.fresh(store);
    Address a = Counter.TYPE.address("a");
    Address b = Counter.TYPE.address("b");
    try (TestNode node = new TestNode("restart", db, TYPES)) {
      assertEquals(new IngressResult.Replied(new Counter.Total(5), false, 1), node.ask(a, "k1", new Counter.Add(5)));
      node.ask(a, "k2", new Counter.AddAndTell(7, "b"));
      Await.until("b got the send", Duration.ofSeconds(10), () -> node.state(b).state(),
          s -> s.equals(new Counter.State(7, 1)));
    }
    try (TestNode node = new TestNode("restart", db, TYPES)) {
      // Recovery resends the output to b (acknowledgements are not journaled); b deduplicates it.
      Await.until("a recovered, its resent output acknowledged", Duration.ofSeconds(10),
          () -> node.state(a), v -> v.equals(new MachineView(new Counter.State(12, 2), 2, 0, 0)));
      assertEquals(new Counter.State(7, 1), node.state(b).state());
      // The key survives the restart: the recorded reply, no second step.
      IngressResult again = node.ask(a, "k1", new Counter.Add(5));
      assertEquals(new IngressResult.Replied(new Counter.Total(5), true, 2), again);
      assertEquals(new Counter.State(12, 2), node.state(a).state());
    }
  }

  @org.junit.jupiter.api.Test
  void callbacksOnAnswersRunWithoutStartingThreads() throws Exception {
    // Pekko's Java ask hands back Scala's CompletableFuture adapter, which runs every callback
    // asynchronously on the common pool; with fewer than three cores that starts one thread per
    // callback. The runtime's answers must run callbacks where the answer completes instead.
    try (TestNode node = new TestNode("callbacks", TestStores.fresh(TestStores.H2), TYPES)) {
      Address a = Counter.TYPE.address("a");
      node.ask(a, null, new Counter.Add(1)); // started and recovered
      List<String> threads = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
      List<java.util.concurrent.CompletableFuture<?>> done = new java.util.ArrayList<>();
      for (int i = 0; i < 50; i++) {
        done.add(node.machines().ask(a, null, new Counter.Add(1))
            .thenApply(r -> threads.add(Thread.currentThread().getName())).toCompletableFuture());
        done.add(node.machines().state(a)
            .whenComplete((v, e) -> threads.add(Thread.currentThread().getName())).toCompletableFuture());
      }
      for (var f : done) f.get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertEquals(100, threads.size());
      for (String t : threads)
        assertTrue(!t.startsWith("Thread-") && !t.contains("commonPool"),
            "a callback ran on " + t + ", not where the answer completed");
      assertEquals(new Counter.State(51, 51), node.state(a).state());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2, TestStores.POSTGRES})
  void theSameKeyTwiceGivesTheSameReplyAndOneStateChange(String store) {
    try (TestNode node = new TestNode("idem", TestStores.fresh(store), TYPES)) {
      Address a = Counter.TYPE.address("a");
      IngressResult first = node.ask(a, "pay-1", new Counter.Add(10));
      IngressResult second = node.ask(a, "pay-1", new Counter.Add(10));
      assertEquals(new IngressResult.Replied(new Counter.Total(10), false, 1), first);
      assertEquals(new IngressResult.Replied(new Counter.Total(10), true, 1), second);
      assertEquals(new Counter.State(10, 1), node.state(a).state());
      // Without a key every call is a new input.
      node.ask(a, null, new Counter.Add(1));
      node.ask(a, null, new Counter.Add(1));
      assertEquals(new Counter.State(12, 3), node.state(a).state());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2})
  void anEvictedKeyIsHandledAgain(String store) {
    // With when-full = evict-oldest; the default refuses a new key instead (KeyLimitTest).
    var small = ConfigFactory.parseString("rsm.persistence.idempotency { max-keys = 2, when-full = evict-oldest }");
    try (TestNode node = new TestNode("evict", TestStores.fresh(store), TYPES, small, FaultInjector.NONE)) {
      Address a = Counter.TYPE.address("a");
      node.ask(a, "k1", new Counter.Add(1));
      node.ask(a, "k2", new Counter.Add(1));
      node.ask(a, "k3", new Counter.Add(1)); // evicts k1, the oldest
      assertTrue(((IngressResult.Replied) node.ask(a, "k3", new Counter.Add(1))).duplicate());
      IngressResult k1 = node.ask(a, "k1", new Counter.Add(1));
      assertEquals(new IngressResult.Replied(new Counter.Total(4), false, 4), k1,
          "documented for evict-oldest: a key evicted from the bounded cache is handled as a new input");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2, TestStores.POSTGRES})
  void aThrowingHandlerLeavesStateUnchangedAndAPoisonMessageIsRejectedSoItsChannelMovesOn(String store) {
    try (TestNode node = new TestNode("poison", TestStores.fresh(store), TYPES)) {
      Address f = Fragile.TYPE.address("f");
      // External: the caller gets the error; nothing is journaled; later inputs flow.
      IngressResult boom = node.ask(f, "b1", new Fragile.Boom("external"));
      assertInstanceOf(IngressResult.Failed.class, boom);
      assertTrue(((IngressResult.Failed) boom).error().startsWith("the handler of fragile/f failed on Boom;"), boom.toString());
      assertTrue(!((IngressResult.Failed) boom).error().contains("boom: external"), "the exception stays in the log");
      assertEquals(new MachineView(new Fragile.State(List.of()), 0, 0, 0), node.state(f));
      // A repeated key of a failed input is tried again (failures are not recorded).
      assertInstanceOf(IngressResult.Failed.class, node.ask(f, "b1", new Fragile.Boom("external")));

      // Machine to machine: 2 values, a poison input, 3 values. The poison is retried
      // max-attempts times, journaled as rejected and logged; the values after it arrive in order.
      Address relay = Fragile.TYPE.address("relay");
      LoggingTestKit.error("machine fragile/g rejected Boom")
          .withMessageContains("boom: poison")
          .withCheckExcess(false)
          .expect(node.system(), () -> node.ask(relay, "r1", new Fragile.Relay("g", 2, 3)));
      MachineView g = Await.until("the values after the poison input", Duration.ofSeconds(15),
          () -> node.state(Fragile.TYPE.address("g")), v -> v.state().equals(new Fragile.State(List.of(1, 2, 3, 4, 5))));
      assertEquals(6, g.seqNr(), "5 values and 1 rejection journaled");
      Await.until("the relay's outbox drained", Duration.ofSeconds(10), () -> node.state(relay), v -> v.unackedOutputs() == 0);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2})
  void inputsOfTheWrongTypeAreRefused(String store) {
    try (TestNode node = new TestNode("invalid", TestStores.fresh(store), TYPES)) {
      IngressResult r = node.ask(Counter.TYPE.address("a"), "x", new Fragile.Value(1));
      assertInstanceOf(IngressResult.Invalid.class, r);
      assertTrue(((IngressResult.Invalid) r).error().contains("not an input of machine type counter"), r.toString());
      assertEquals(0, node.state(Counter.TYPE.address("a")).seqNr());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2})
  void aCallerWhoseMachineDiesBeforeReplyingIsToldAtOnceAndItsKeyedRetryGetsTheRecordedReply(String store) {
    Address a = Counter.TYPE.address("a");
    CrashOnce crash = new CrashOnce(FaultInjector.Point.AFTER_JOURNAL_BEFORE_SEND, a);
    var slowAsk = ConfigFactory.parseString("rsm.persistence.ask-timeout = 20s");
    try (TestNode node = new TestNode("release", TestStores.fresh(store), TYPES, slowAsk, crash)) {
      crash.arm();
      long start = System.nanoTime();
      IngressResult r = node.machines().ask(a, "k", new Counter.Add(4)).toCompletableFuture().join();
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertInstanceOf(IngressResult.Unavailable.class, r);
      assertEquals(IngressResult.Unavailable.Reason.NOT_CONFIRMED, ((IngressResult.Unavailable) r).reason());
      assertTrue(millis < 10_000, "told in " + millis + " ms, not after the 20 s ask timeout");
      assertEquals(1, crash.crashes());
      // The step had been journaled before the crash: the retry gets the recorded reply.
      assertEquals(new IngressResult.Replied(new Counter.Total(4), true, 1), node.askUntilAnswered(a, "k", new Counter.Add(4)));
    }
  }
}
