package dev.rsm.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.Address;
import dev.rsm.persistence.machines.Alarm;
import dev.rsm.persistence.machines.Counter;
import dev.rsm.persistence.machines.RingNode;
import dev.rsm.persistence.testing.Await;
import dev.rsm.persistence.testing.RandomCrashes;
import dev.rsm.persistence.testing.TestNode;
import dev.rsm.persistence.testing.TestStores;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hibernation ({@code hibernate-after}): an idle machine drops its event-sourced behaviour and
 * keeps only its state; the next input wakes it. What it held (state, idempotency keys, channel
 * positions) is what it works on after waking, its journal goes on where it stopped, and a recovery
 * from that journal agrees. A machine with armed timers hibernates and its first timer wakes it;
 * one without still passivates; machines that hibernate and wake between bursts, while crashing, still handle every
 * message once and in order.
 */
class HibernationTest {
  static final long SEED = Long.getLong("rsm.test.seed", System.nanoTime());
  static final Config QUICK = ConfigFactory.parseString(
      "rsm.persistence { hibernate-after = 200ms, passivate-after = 1h }");
  static final Address A = Counter.TYPE.address("a");
  static final Address B = Counter.TYPE.address("b");

  /** What the machines reported, in order: "step a", "hibernated a", "woke a". */
  static final class Events implements StepObserver {
    final List<String> seen = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void stepJournaled(Address machine, Object input, long seqNr) {
      seen.add("step " + machine.id() + " " + input.getClass().getSimpleName());
    }

    @Override
    public void hibernated(Address machine) {
      seen.add("hibernated " + machine.id());
    }

    @Override
    public void woke(Address machine) {
      seen.add("woke " + machine.id());
    }

    long count(String event) {
      synchronized (seen) {
        return seen.stream().filter(event::equals).count();
      }
    }

    void await(String event, long times) {
      Await.until(times + " x '" + event + "'", Duration.ofSeconds(15), () -> count(event), n -> n >= times);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2, TestStores.POSTGRES})
  void anIdleMachineHibernatesAndWakesWithItsStateKeysAndChannels(String store) {
    var db = TestStores.fresh(store);
    MachineRegistry types = MachineRegistry.of(Counter.TYPE);
    Events events = new Events();
    try (TestNode node = new TestNode("hibernate", db, types, QUICK, FaultInjector.NONE, Clock.systemUTC(), events)) {
      assertEquals(new IngressResult.Replied(new Counter.Total(5), false, 1), node.ask(A, "k1", new Counter.Add(5)));
      node.ask(A, "k2", new Counter.AddAndTell(7, "b"));
      events.await("hibernated a", 1);
      events.await("hibernated b", 1);
      assertTrue(node.isRunning(A), "a hibernated machine keeps its actor");

      // The idempotency key is held through hibernation: the recorded reply, no step.
      assertEquals(new IngressResult.Replied(new Counter.Total(5), true, 2), node.ask(A, "k1", new Counter.Add(5)));
      events.await("woke a", 1);
      // A new step is journaled after the last one (a wrong sequence number would fail the write
      // and the ask would be answered "unavailable").
      assertEquals(new IngressResult.Replied(new Counter.Total(13), false, 3),
          node.ask(A, "k3", new Counter.AddAndTell(1, "b")));
      // b wakes with its channel position: message 2 from a is the next one, handled once.
      Await.until("b handled a's second message", Duration.ofSeconds(10), () -> node.state(B).state(),
          s -> s.equals(new Counter.State(8, 2)));
      events.await("woke b", 1);
      assertEquals(new MachineView(new Counter.State(13, 3), 3, 0, 0), node.state(A));
    }
    try (TestNode node = new TestNode("hibernate", db, types)) {
      // Recovered from the journal alone, without anything hibernation held (acknowledgements are
      // not journaled: a resends its two outputs, and b deduplicates them).
      Await.until("a recovered, its resent outputs acknowledged", Duration.ofSeconds(10), () -> node.state(A),
          v -> v.equals(new MachineView(new Counter.State(13, 3), 3, 0, 0)));
      assertEquals(new Counter.State(8, 2), node.state(B).state());
      assertEquals(new IngressResult.Replied(new Counter.Total(14), false, 4), node.ask(A, "k4", new Counter.Add(1)));
    }
  }

  @Test
  void aMachineWithArmedTimersHibernatesAndItsTimersWakeItOnTime() {
    Address alarm = Alarm.TYPE.address("t");
    Address counter = Counter.TYPE.address("c");
    Events events = new Events();
    MachineRegistry types = MachineRegistry.of(Alarm.TYPE, Counter.TYPE);
    // The timer rings twice, each time after passivate-after has passed: a machine that
    // passivated instead of hibernating would have no actor left to fire it.
    Config quick = ConfigFactory.parseString("rsm.persistence { hibernate-after = 200ms, passivate-after = 700ms }");
    try (TestNode node = new TestNode("hibernate-timer", TestStores.fresh(TestStores.H2), types, quick,
        FaultInjector.NONE, Clock.systemUTC(), events)) {
      Alarm.Armed armed = (Alarm.Armed) ((IngressResult.Replied) node.ask(alarm, "arm",
          new Alarm.Arm("r", 1500, "r", 2, "c"))).reply();
      Await.until("the timer rang twice", Duration.ofSeconds(15), () -> node.state(counter).state(),
          s -> ((Counter.State) s).total() == 2);
      List<String> seen = List.copyOf(events.seen);
      int firstRing = seen.indexOf("step t Ring");
      int secondRing = seen.lastIndexOf("step t Ring");
      assertTrue(firstRing >= 0 && secondRing > firstRing, "two rings: " + seen);
      List<String> beforeFirst = seen.subList(0, firstRing);
      List<String> between = seen.subList(firstRing + 1, secondRing);
      assertTrue(beforeFirst.indexOf("hibernated t") >= 0 && beforeFirst.indexOf("hibernated t") < beforeFirst.indexOf("woke t"),
          "hibernated with the timer armed, woken by it: " + seen);
      assertTrue(between.indexOf("hibernated t") >= 0 && between.indexOf("hibernated t") < between.indexOf("woke t"),
          "hibernated again with the re-armed timer, woken by it: " + seen);
      // Each ring was handled once (the wake-up's firing and the re-armed one are the same ring),
      // and never before its deadline.
      List<Alarm.Rang> rang = ((Alarm.State) node.state(alarm).state()).rang();
      assertEquals(2, rang.size(), rang.toString());
      assertTrue(rang.get(0).at() >= armed.deadline(), rang + " vs deadline " + armed.deadline());
      assertTrue(rang.get(1).at() >= rang.get(0).at() + 1500, rang.toString());
      // With no timer left, it passivates as any machine does.
      Await.until("the alarm passivated", Duration.ofSeconds(10), () -> node.isRunning(alarm), r -> !r);
    }
  }

  @Test
  void aHibernatedMachineStillPassivates() {
    Events events = new Events();
    Config quick = ConfigFactory.parseString("rsm.persistence { hibernate-after = 100ms, passivate-after = 1s }");
    try (TestNode node = new TestNode("hibernate-passivate", TestStores.fresh(TestStores.H2),
        MachineRegistry.of(Counter.TYPE), quick, FaultInjector.NONE, Clock.systemUTC(), events)) {
      node.ask(A, "k1", new Counter.Add(5));
      events.await("hibernated a", 1);
      Await.until("a passivated", Duration.ofSeconds(10), () -> node.isRunning(A), r -> !r);
      // The next input recovers it from the journal (not a wake-up).
      assertEquals(new IngressResult.Replied(new Counter.Total(6), false, 2), node.ask(A, "k2", new Counter.Add(1)));
      assertEquals(0, events.count("woke a"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2, TestStores.POSTGRES})
  void machinesThatHibernateAndWakeBetweenBurstsHandleEveryMessageOnceInOrderWhileCrashing(String store) {
    System.out.println("hibernation ring seed " + SEED + " (rerun with -Drsm.test.seed=" + SEED + ")");
    int ring = 4, rounds = 4, perEmit = 15, hops = 3;
    RandomCrashes crashes = new RandomCrashes(SEED, 0.02, 0.05, 40);
    Events events = new Events();
    Config config = ConfigFactory.parseString("rsm.persistence { hibernate-after = 150ms, passivate-after = 1h, "
        + "snapshot-every = 10, delivery.window = 4 }");
    try (TestNode node = new TestNode("hibernate-ring", TestStores.fresh(store), MachineRegistry.of(RingNode.TYPE),
        config, crashes, Clock.systemUTC(), events)) {
      for (int r = 1; r <= rounds; r++) {
        for (int i = 0; i < ring; i++)
          node.askUntilAnswered(RingNode.TYPE.address("ring-" + i), "emit-" + r, new RingNode.Emit(perEmit, hops, ring));
        long perChannel = (long) r * perEmit * hops;
        for (int i = 0; i < ring; i++) {
          Address a = RingNode.TYPE.address("ring-" + i);
          String prev = "ring-" + ((i + ring - 1) % ring);
          Await.until(a + " received round " + r, Duration.ofSeconds(60), () -> node.state(a).state(),
              s -> ((RingNode.State) s).lastFrom().getOrDefault(prev, 0L) >= perChannel);
        }
        for (int i = 0; i < ring; i++) events.await("hibernated ring-" + i, r);
      }
      long perChannel = (long) rounds * perEmit * hops;
      for (int i = 0; i < ring; i++) {
        Address a = RingNode.TYPE.address("ring-" + i);
        RingNode.State s = (RingNode.State) node.state(a).state();
        String prev = "ring-" + ((i + ring - 1) % ring);
        assertEquals(0, s.violations(), "lost, duplicated or reordered at " + a + " (seed " + SEED + ")");
        assertEquals(perChannel, s.lastFrom().get(prev), "channel " + prev + " -> " + a + " (seed " + SEED + ")");
        assertEquals(perChannel, s.handled(), "handled exactly once at " + a + " (seed " + SEED + ")");
        assertTrue(events.count("woke ring-" + i) >= rounds - 1, "ring-" + i + " woke between rounds: " + events.seen);
      }
      System.out.println("hibernation ring crashes injected: " + crashes.counts());
    }
  }
}
