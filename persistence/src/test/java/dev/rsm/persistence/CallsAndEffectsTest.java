package dev.rsm.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.Address;
import dev.rsm.actors.EffectHandler;
import dev.rsm.persistence.FaultInjector.Point;
import dev.rsm.persistence.machines.Buyer;
import dev.rsm.persistence.machines.Counter;
import dev.rsm.persistence.machines.Fragile;
import dev.rsm.persistence.testing.Await;
import dev.rsm.persistence.testing.CrashOnce;
import dev.rsm.persistence.testing.RandomCrashes;
import dev.rsm.persistence.testing.TestNode;
import dev.rsm.persistence.testing.TestStores;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Calls between machines and effects outside them, on H2 and PostgreSQL: every call is answered
 * exactly once, in order per channel, also when crashes hit either side at every boundary; a
 * refused call is answered REJECTED, a call that outlives its timeout is answered TIMED_OUT once
 * and its late answer ignored; every effect is executed at least once, always with one key, and
 * its outcome handled exactly once, through crashes, retries, a final failure and the death of
 * the node that ran it.
 */
class CallsAndEffectsTest {
  static final long SEED = Long.getLong("rsm.test.seed", System.nanoTime());
  static final MachineRegistry TYPES = MachineRegistry.of(Buyer.TYPE, Counter.TYPE, Fragile.TYPE);
  static final Config QUICK_EFFECTS = ConfigFactory.parseString("""
      rsm.effects.retry { backoff = 20ms, max-backoff = 200ms, attempt-timeout = 5s }
      rsm.effects.redeliver-interval = 300ms
      """);

  /** Executions of the effect by key, and the value it returns. */
  static final class Gateway implements EffectHandler<Buyer.Charge> {
    final Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();

    @Override
    public Object execute(Buyer.Charge c, Attempt attempt) {
      executions.computeIfAbsent(attempt.idempotencyKey(), k -> new AtomicInteger()).incrementAndGet();
      return "ch-" + c.item();
    }
  }

  static RuntimeOptions options(FaultInjector faults, EffectHandler<Buyer.Charge> pay) {
    return RuntimeOptions.defaults().withFaults(faults).withEffect(Buyer.PAY, Buyer.Charge.class, pay);
  }

  static List<String> handled(TestNode node, Address buyer) {
    return ((Buyer.State) node.state(buyer).state()).handled();
  }

  static List<String> awaitHandled(TestNode node, Address buyer, int n) {
    return Await.until(buyer + " handling " + n + " answers", Duration.ofSeconds(60), () -> handled(node, buyer),
        h -> h.size() >= n);
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2, TestStores.POSTGRES})
  void everyCallIsAnsweredExactlyOnceAndInOrderWhateverCrashes(String store) {
    RandomCrashes crashes = new RandomCrashes(SEED, 0.05, 0.1, 40);
    Address buyer = Buyer.TYPE.address("b");
    try (TestNode node = new TestNode("calls-crashes", TestStores.fresh(store), TYPES, QUICK_EFFECTS,
        options(crashes, new Gateway()))) {
      Map<String, List<Long>> sent = new HashMap<>();
      for (int i = 1; i <= 30; i++) {
        String counter = "c" + (i % 3);
        sent.computeIfAbsent(counter, k -> new ArrayList<>()).add((long) i);
        node.askUntilAnswered(buyer, "call-" + i, new Buyer.CallCounter(counter, i, 0));
      }
      List<String> handled = awaitHandled(node, buyer, 30);
      crashes.disable();
      // Each counter answered each call once, in the order the calls were made: its running total.
      Map<String, List<String>> expected = new HashMap<>();
      sent.forEach((counter, ns) -> {
        long total = 0;
        List<String> e = new ArrayList<>();
        for (long n : ns) e.add("counter " + counter + " " + n + " OK " + (total += n));
        expected.put(counter, e);
        Counter.State s = (Counter.State) node.state(Counter.TYPE.address(counter)).state();
        assertEquals(new Counter.State(total, ns.size()), s, counter + " handled each call once (seed " + SEED + ")");
      });
      Map<String, List<String>> got = new HashMap<>();
      for (String h : handled) got.computeIfAbsent(h.split(" ")[1], k -> new ArrayList<>()).add(h);
      assertEquals(expected, got, "answers per counter, in call order (seed " + SEED + ", crashes " + crashes.counts() + ")");
      assertTrue(crashes.counts().values().stream().mapToInt(Integer::intValue).sum() > 0, "crashes were injected");
    }
  }

  static Stream<Arguments> storesAndPoints() {
    return Stream.of(TestStores.H2, TestStores.POSTGRES).flatMap(store -> Stream.of(Point.BEFORE_JOURNAL,
        Point.AFTER_JOURNAL_BEFORE_SEND, Point.AFTER_SEND_BEFORE_ACK, Point.AFTER_ACK).map(p -> Arguments.of(store, p)));
  }

  /**
   * A crash aimed at each boundary of each new kind of step: the callee's step that answers a call
   * (answer journaled, not sent, ...), the caller's step that handles the answer, and the step that
   * handles an effect's outcome (the effect executed, its outcome not journaled; journaled, not
   * acknowledged to the runner; ...). Each call is still answered once, each outcome handled once.
   */
  @ParameterizedTest
  @MethodSource("storesAndPoints")
  void aCrashAtEachBoundaryOfAnAnswerOrAnOutcomeLeavesEachHandledOnce(String store, Point point) {
    Address buyer = Buyer.TYPE.address("b");
    Address counter = Counter.TYPE.address("c");
    CrashOnce calleeCrash = new CrashOnce(point, counter);
    CrashOnce callerCrash = new CrashOnce(point, buyer);
    FaultInjector faults = (p, m) -> calleeCrash.crash(p, m) || callerCrash.crash(p, m);
    Gateway gateway = new Gateway();
    try (TestNode node = new TestNode("boundary", TestStores.fresh(store), TYPES, QUICK_EFFECTS, options(faults, gateway))) {
      calleeCrash.arm(); // the counter's next step answers the call
      node.askUntilAnswered(buyer, "call", new Buyer.CallCounter("c", 4, 0));
      callerCrash.arm(); // the buyer's next step handles the answer
      assertEquals(List.of("counter c 4 OK 4"), awaitHandled(node, buyer, 1));
      callerCrash.arm(); // the buyer's next step after the request handles the effect's outcome
      node.askUntilAnswered(buyer, "pay", new Buyer.Pay("x", 1));
      List<String> handled = awaitHandled(node, buyer, 2);
      assertEquals("counter c 4 OK 4", handled.get(0));
      assertTrue(handled.get(1).startsWith("pay x ok ch-x after 1 key buyer/b/"), handled.get(1));
      assertEquals(new Counter.State(4, 1), node.state(counter).state());
      assertEquals(1, calleeCrash.crashes(), "the callee crashed at " + point);
      assertEquals(2, callerCrash.crashes(), "the caller crashed at " + point + " on the answer and on the outcome");
      Await.until("the buyer settled", Duration.ofSeconds(30), () -> node.state(buyer), v -> v.unackedOutputs() == 0);
      assertEquals(List.copyOf(handled), handled(node, buyer), "nothing handled twice afterwards");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2, TestStores.POSTGRES})
  void aCallTheCalleeRefusesIsAnsweredRejectedAndTheOthersOk(String store) {
    Address buyer = Buyer.TYPE.address("b");
    try (TestNode node = new TestNode("calls-refused", TestStores.fresh(store), TYPES, QUICK_EFFECTS,
        options(FaultInjector.NONE, new Gateway()))) {
      node.askUntilAnswered(buyer, "boom", new Buyer.CallFragile("f", true));
      node.askUntilAnswered(buyer, "value", new Buyer.CallFragile("f", false));
      assertEquals(List.of("fragile f REJECTED", "fragile f OK 1"), awaitHandled(node, buyer, 2));
      assertEquals(new Fragile.State(List.of(7)), node.state(Fragile.TYPE.address("f")).state());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2, TestStores.POSTGRES})
  void aCallPastItsTimeoutIsAnsweredTimedOutOnceAndItsLateAnswerIsIgnored(String store) {
    Address buyer = Buyer.TYPE.address("b");
    Address slow = Counter.TYPE.address("slow");
    AtomicBoolean stalled = new AtomicBoolean(true); // the callee crashes before journaling while set
    FaultInjector stall = (point, machine) -> point == Point.BEFORE_JOURNAL && machine.equals(slow) && stalled.get();
    try (TestNode node = new TestNode("calls-timeout", TestStores.fresh(store), TYPES, QUICK_EFFECTS,
        options(stall, new Gateway()))) {
      node.askUntilAnswered(buyer, "call", new Buyer.CallCounter("slow", 5, 500));
      assertEquals(List.of("counter slow 5 TIMED_OUT"), awaitHandled(node, buyer, 1));
      stalled.set(false);
      Await.until("the callee handling the call late", Duration.ofSeconds(30), () -> node.state(slow).state(),
          s -> s.equals(new Counter.State(5, 1)));
      // The late answer is journaled (the call, the timeout, the answer: 3 steps) and not handled.
      Await.until("the caller journaling the late answer", Duration.ofSeconds(30), () -> node.state(buyer),
          v -> v.seqNr() == 3 && v.unackedOutputs() == 0);
      assertEquals(List.of("counter slow 5 TIMED_OUT"), handled(node, buyer));
      // A call answered in time cancels its timer: no TIMED_OUT follows.
      node.askUntilAnswered(buyer, "call-2", new Buyer.CallCounter("quick", 1, 20_000));
      awaitHandled(node, buyer, 2);
      assertEquals(0, node.state(buyer).armedTimers(), "the answered call's timeout timer is cancelled");
      assertEquals(List.of("counter slow 5 TIMED_OUT", "counter quick 1 OK 1"), handled(node, buyer));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2, TestStores.POSTGRES})
  void everyEffectRunsWithOneKeyAndItsOutcomeIsHandledExactlyOnceWhateverCrashes(String store) {
    RandomCrashes crashes = new RandomCrashes(SEED, 0.08, 0.1, 40);
    Gateway gateway = new Gateway();
    try (TestNode node = new TestNode("effects-crashes", TestStores.fresh(store), TYPES, QUICK_EFFECTS,
        options(crashes, gateway))) {
      for (int i = 1; i <= 24; i++)
        node.askUntilAnswered(Buyer.TYPE.address("b" + (i % 4)), "pay-" + i, new Buyer.Pay("item-" + i, i));
      Map<String, String> keyOfItem = new HashMap<>();
      for (int b = 0; b < 4; b++)
        for (String h : awaitHandled(node, Buyer.TYPE.address("b" + b), 6)) {
          String[] w = h.split(" "); // pay item-i ok ch-item-i after n key k
          assertEquals("ok", w[2], h);
          assertEquals("ch-" + w[1], w[3], h);
          assertEquals(null, keyOfItem.put(w[1], w[7]), w[1] + "'s outcome handled twice (seed " + SEED + ")");
        }
      crashes.disable();
      assertEquals(24, keyOfItem.size());
      assertEquals(24, Map.copyOf(keyOfItem).values().stream().distinct().count(), "one key per effect");
      for (String key : keyOfItem.values())
        assertTrue(gateway.executions.containsKey(key), key + " was executed under its key");
      assertEquals(keyOfItem.values().stream().sorted().toList(), gateway.executions.keySet().stream().sorted().toList(),
          "no effect was executed under another key");
      assertTrue(crashes.counts().values().stream().mapToInt(Integer::intValue).sum() > 0, "crashes were injected");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2, TestStores.POSTGRES})
  void anEffectThatKeepsFailingIsRetriedPerItsPolicyThenItsFailureIsHandledOnce(String store) {
    AtomicInteger attempts = new AtomicInteger();
    EffectHandler<Buyer.Charge> failing = (c, a) -> {
      attempts.incrementAndGet();
      throw new IllegalStateException("card declined (attempt " + a.number() + ")");
    };
    List<String> observed = java.util.Collections.synchronizedList(new ArrayList<>());
    StepObserver observer = new StepObserver() {
      @Override
      public void stepJournaled(Address machine, Object input, long seqNr) {}

      @Override
      public void effectAttempted(Address machine, String effect, boolean ok, long nanos) {
        observed.add("attempt " + effect + " " + ok);
      }

      @Override
      public void effectHandled(Address machine, String effect, boolean ok) {
        observed.add("handled " + effect + " " + ok);
      }
    };
    RuntimeOptions options = RuntimeOptions.defaults().withObserver(observer).withEffect(Buyer.PAY, Buyer.Charge.class,
        failing, new EffectPolicy(3, Duration.ofMillis(20), Duration.ofMillis(100), Duration.ofSeconds(5)));
    Address buyer = Buyer.TYPE.address("b");
    try (TestNode node = new TestNode("effects-fail", TestStores.fresh(store), TYPES, QUICK_EFFECTS, options)) {
      node.askUntilAnswered(buyer, "pay", new Buyer.Pay("x", 1));
      List<String> handled = awaitHandled(node, buyer, 1);
      assertEquals(List.of("pay x failed after 3 key buyer/b/1/0"), handled);
      assertEquals(3, attempts.get(), "max-attempts of its policy");
      assertEquals(0, node.state(buyer).unackedOutputs());
      assertEquals(List.of("attempt pay false", "attempt pay false", "attempt pay false", "handled pay false"),
          List.copyOf(observed), "what metrics see");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2, TestStores.POSTGRES})
  void aFinalFailureIsHandedToTheMachineWithoutRetries(String store) {
    AtomicInteger attempts = new AtomicInteger();
    EffectHandler<Buyer.Charge> declining = (c, a) -> {
      attempts.incrementAndGet();
      throw new EffectHandler.Final("card declined");
    };
    Address buyer = Buyer.TYPE.address("b");
    try (TestNode node = new TestNode("effects-final", TestStores.fresh(store), TYPES, QUICK_EFFECTS,
        options(FaultInjector.NONE, declining))) {
      node.askUntilAnswered(buyer, "pay", new Buyer.Pay("x", 1));
      assertEquals(List.of("pay x failed after 1 key buyer/b/1/0"), awaitHandled(node, buyer, 1));
      assertEquals(1, attempts.get(), "a final failure is not retried");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2, TestStores.POSTGRES})
  void anEffectCutShortByTheNodesEndRunsAgainWithTheSameKeyOnTheNextNode(String store) throws Exception {
    Config db = TestStores.fresh(store);
    Address buyer = Buyer.TYPE.address("b");
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    List<String> firstKeys = new ArrayList<>();
    EffectHandler<Buyer.Charge> hanging = (c, a) -> {
      synchronized (firstKeys) {
        firstKeys.add(a.idempotencyKey());
      }
      started.countDown();
      never.await(); // until the node ends: its effect threads are interrupted
      return "never";
    };
    try (TestNode node = new TestNode("effects-node-1", db, TYPES, QUICK_EFFECTS,
        options(FaultInjector.NONE, hanging))) {
      node.askUntilAnswered(buyer, "pay", new Buyer.Pay("x", 1));
      assertTrue(started.await(30, java.util.concurrent.TimeUnit.SECONDS), "the effect started");
    }
    Gateway gateway = new Gateway();
    try (TestNode node = new TestNode("effects-node-2", db, TYPES, QUICK_EFFECTS, options(FaultInjector.NONE, gateway))) {
      // Addressing the machine recovers it; its pending effect runs again, under the same key.
      List<String> handled = awaitHandled(node, buyer, 1);
      assertEquals(List.of("pay x ok ch-x after 1 key " + firstKeys.get(0)), handled);
      assertEquals(Map.of(firstKeys.get(0), 1), Map.copyOf(gateway.executions).entrySet().stream()
          .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get())));
    }
  }
}
