package dev.rsm.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.Address;
import dev.rsm.persistence.FaultInjector.Point;
import dev.rsm.persistence.machines.Alarm;
import dev.rsm.persistence.machines.Counter;
import dev.rsm.persistence.testing.Await;
import dev.rsm.persistence.testing.CrashOnce;
import dev.rsm.persistence.testing.RandomCrashes;
import dev.rsm.persistence.testing.TestNode;
import dev.rsm.persistence.testing.TestStores;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Durable timers, on H2 and PostgreSQL: a timer fires once after its delay; it survives a restart
 * of the whole system; a deadline that passed while the system was down fires promptly; a
 * cancelled or re-armed timer never fires its stale generation; a firing is handled exactly once
 * when a crash hits its step at any boundary; a machine with an armed timer is not passivated.
 *
 * <p>"Exactly once" is checked with a witness: after the timer under test has rung, a second timer
 * is armed and awaited, so a duplicate firing of the first (which would come promptly, on
 * recovery) would have been recorded by then.
 */
class TimersTest {
  static final long SEED = Long.getLong("rsm.test.seed", System.nanoTime());
  static final MachineRegistry TYPES = MachineRegistry.of(Alarm.TYPE, Counter.TYPE);
  static final Address ALARM = Alarm.TYPE.address("a");
  static final Address COUNTER = Counter.TYPE.address("c");

  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2, TestStores.POSTGRES})
  void aTimerFiresOnceAfterItsDelay(String store) {
    try (TestNode node = new TestNode("timer-once", TestStores.fresh(store), TYPES)) {
      Alarm.Armed armed = armed(node.ask(ALARM, "arm-t", new Alarm.Arm("t", 300, "t", 1, "c")));
      assertEquals(1, node.state(ALARM).armedTimers());
      awaitCount(node, 1);
      node.ask(ALARM, "arm-w", Alarm.Arm.once("w", 300, "w"));
      List<Alarm.Rang> rang = awaitRang(node, 2);
      assertEquals(List.of("t", "w"), labels(rang));
      assertTrue(rang.get(0).at() >= armed.deadline(),
          "fired at " + rang.get(0).at() + ", before its deadline " + armed.deadline());
      assertEquals(new MachineView(new Alarm.State(rang), 4, 0, 0), node.state(ALARM), "arm, ring, arm, ring");
      assertEquals(new Counter.State(1, 1), node.state(COUNTER).state());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2, TestStores.POSTGRES})
  void armedTimersSurviveARestartOfTheWholeSystemAndOnlyTheirLatestGenerationFires(String store) {
    Config db = TestStores.fresh(store);
    Alarm.Armed latest;
    try (TestNode node = new TestNode("timer-restart-1", db, TYPES)) {
      node.ask(ALARM, "arm-1", new Alarm.Arm("t", 1000, "old", 1, "c"));
      latest = armed(node.ask(ALARM, "arm-2", new Alarm.Arm("t", 1500, "new", 1, "c"))); // replaces "old"
      node.ask(ALARM, "arm-z", Alarm.Arm.once("z", 1000, "z"));
      node.ask(ALARM, "cancel-z", new Alarm.Cancel("z"));
      MachineView v = node.state(ALARM);
      assertEquals(1, v.armedTimers());
      assertEquals(new Alarm.State(List.of()), v.state());
    }
    try (TestNode node = new TestNode("timer-restart-2", db, TYPES)) {
      // LocalRuntime starts a machine when it is addressed: reading its state recovers it (the
      // sharded runtime remembers machines with armed timers and restarts them by itself).
      assertEquals(1, node.state(ALARM).armedTimers());
      awaitCount(node, 1);
      // Stale generations ("old", cancelled "z") would be due at the latest 1000 ms after recovery.
      node.ask(ALARM, "arm-w", Alarm.Arm.once("w", 1200, "w"));
      List<Alarm.Rang> rang = awaitRang(node, 2);
      assertEquals(List.of("new", "w"), labels(rang));
      assertTrue(rang.get(0).at() >= latest.deadline(), "fired before its deadline");
      assertEquals(new Counter.State(1, 1), node.state(COUNTER).state());
      assertEquals(0, node.state(ALARM).armedTimers());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2, TestStores.POSTGRES})
  void aDeadlinePassedWhileTheSystemWasDownFiresPromptlyOnRecovery(String store) {
    Config db = TestStores.fresh(store);
    Alarm.Armed armed;
    try (TestNode node = new TestNode("timer-down-1", db, TYPES)) {
      armed = armed(node.ask(ALARM, "arm", new Alarm.Arm("t", Duration.ofHours(1).toMillis(), "t", 1, "c")));
    }
    // The next node starts two hours "later": its recorded clock is shifted.
    Clock later = Clock.offset(Clock.systemUTC(), Duration.ofHours(2));
    try (TestNode node = new TestNode("timer-down-2", db, TYPES, ConfigFactory.empty(), FaultInjector.NONE, later)) {
      long start = System.nanoTime();
      node.state(ALARM); // recovers it
      Await.until("the overdue timer fired", Duration.ofSeconds(5), () -> node.state(COUNTER).state(),
          s -> ((Counter.State) s).total() == 1);
      long tookMillis = (System.nanoTime() - start) / 1_000_000;
      List<Alarm.Rang> rang = ((Alarm.State) node.state(ALARM).state()).rang();
      assertEquals(List.of("t"), labels(rang));
      assertTrue(rang.get(0).at() >= armed.deadline(), "handled at its (past) deadline or later");
      System.out.println("overdue timer fired " + tookMillis + " ms after the machine was addressed");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2, TestStores.POSTGRES})
  void aTimerBeyondTheSchedulersRangeStaysArmedAndFiresWhenItsDeadlineComes(String store) {
    // Pekko's scheduler refuses delays over ~248 days; a yearly timer must still work.
    Config db = TestStores.fresh(store);
    long far = Duration.ofDays(400).toMillis();
    try (TestNode node = new TestNode("timer-far-1", db, TYPES)) {
      armed(node.ask(ALARM, "arm-far", new Alarm.Arm("far", far, "far", 1, "c")));
      node.ask(ALARM, "arm-s", Alarm.Arm.once("s", 100, "s")); // the machine keeps working
      assertEquals(List.of("s"), labels(awaitRang(node, 1)));
      assertEquals(1, node.state(ALARM).armedTimers());
    }
    Clock dayLater = Clock.offset(Clock.systemUTC(), Duration.ofDays(1));
    try (TestNode node = new TestNode("timer-far-2", db, TYPES, ConfigFactory.empty(), FaultInjector.NONE, dayLater)) {
      MachineView v = node.state(ALARM);
      assertEquals(1, v.armedTimers(), "still armed after a restart a day later");
      assertEquals(List.of("s"), labels(((Alarm.State) v.state()).rang()));
    }
    Clock yearLater = Clock.offset(Clock.systemUTC(), Duration.ofDays(401));
    try (TestNode node = new TestNode("timer-far-3", db, TYPES, ConfigFactory.empty(), FaultInjector.NONE, yearLater)) {
      node.state(ALARM);
      assertEquals(List.of("s", "far"), labels(awaitRang(node, 2)));
      // The firing's send to the counter is delivered after the alarm's step.
      Await.until("the counter got the firing's send", Duration.ofSeconds(10),
          () -> node.state(COUNTER).state(), new Counter.State(1, 1)::equals);
    }
  }

  static Stream<Arguments> storesAndStepBoundaries() {
    return Stream.of(TestStores.H2, TestStores.POSTGRES)
        .flatMap(store -> Stream.of(Point.BEFORE_JOURNAL, Point.AFTER_JOURNAL_BEFORE_SEND,
                Point.AFTER_SEND_BEFORE_ACK, Point.AFTER_ACK)
            .map(point -> Arguments.of(store, point)));
  }

  @ParameterizedTest
  @MethodSource("storesAndStepBoundaries")
  void aFiringIsHandledExactlyOnceWhenItsStepCrashes(String store, Point point) {
    CrashOnce crash = new CrashOnce(point, ALARM);
    try (TestNode node = new TestNode("timer-crash", TestStores.fresh(store), TYPES, ConfigFactory.empty(), crash)) {
      Alarm.Armed armed = armed(node.ask(ALARM, "arm-t", new Alarm.Arm("t", 300, "t", 1, "c")));
      node.state(ALARM); // the arming step is complete: the next step of the alarm is the firing
      crash.arm();
      awaitCount(node, 1);
      node.ask(ALARM, "arm-w", Alarm.Arm.once("w", 300, "w"));
      List<Alarm.Rang> rang = awaitRang(node, 2);
      assertEquals(1, crash.crashes(), "the firing's step crashed at " + point);
      assertEquals(List.of("t", "w"), labels(rang), "the firing was handled exactly once");
      assertTrue(rang.get(0).at() >= armed.deadline());
      assertEquals(new Counter.State(1, 1), node.state(COUNTER).state(), "its send was delivered exactly once");
      MachineView v = node.state(ALARM);
      assertEquals(4, v.seqNr(), "arm, ring, arm, ring");
      assertEquals(0, v.armedTimers());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2, TestStores.POSTGRES})
  void aRepeatingTimerRingsExactlyItsCountWhileMachinesCrashAtRandom(String store) {
    System.out.println("timer seed " + SEED + " (rerun with -Drsm.test.seed=" + SEED + ")");
    RandomCrashes crashes = new RandomCrashes(SEED, 0.15, 0.05, 40);
    Config snapshots = ConfigFactory.parseString("rsm.persistence.snapshot-every = 4");
    int times = 20;
    try (TestNode node = new TestNode("timer-random", TestStores.fresh(store), TYPES, snapshots, crashes)) {
      node.askUntilAnswered(ALARM, "arm", new Alarm.Arm("tick", 50, "tick", times, "c"));
      Await.until("the counter counted every ring", Duration.ofSeconds(60), () -> node.state(COUNTER),
          v -> ((Counter.State) v.state()).total() >= times);
      MachineView v = Await.until("the alarm is done", Duration.ofSeconds(30), () -> node.state(ALARM),
          s -> s.armedTimers() == 0 && s.unackedOutputs() == 0);
      List<Alarm.Rang> rang = ((Alarm.State) v.state()).rang();
      assertEquals(times, rang.size(), "rings (seed " + SEED + ", crashes " + crashes.counts() + ")");
      for (int i = 1; i < rang.size(); i++)
        assertTrue(rang.get(i).at() >= rang.get(i - 1).at() + 50, "ring " + i + " came before its deadline");
      assertEquals(new Counter.State(times, times), node.state(COUNTER).state(), "seed " + SEED);
      assertEquals(1 + times, v.seqNr(), "one arm and " + times + " rings journaled (seed " + SEED + ")");
      System.out.println("timer crashes injected: " + crashes.counts());
      assertTrue(crashes.counts().values().stream().mapToInt(Integer::intValue).sum() > 3, "crashes were injected");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2, TestStores.POSTGRES})
  void aMachineWithAnArmedTimerIsNotPassivated(String store) {
    Config quick = ConfigFactory.parseString("rsm.persistence.passivate-after = 200ms");
    try (TestNode node = new TestNode("timer-passivate", TestStores.fresh(store), TYPES, quick, FaultInjector.NONE)) {
      node.ask(ALARM, "arm", new Alarm.Arm("t", 1500, "t", 1, "c"));
      assertTrue(node.isRunning(ALARM));
      // From here on nobody addresses the alarm: only its own timer can make the counter count,
      // and LocalRuntime does not restart a passivated machine by itself.
      Await.until("the timer fired", Duration.ofSeconds(10), () -> node.state(COUNTER).state(),
          s -> ((Counter.State) s).total() == 1);
      // With nothing pending any more, it passivates as configured.
      Await.until("the idle alarm passivated", Duration.ofSeconds(10), () -> node.isRunning(ALARM), r -> !r);
      assertEquals(List.of("t"), labels(((Alarm.State) node.state(ALARM).state()).rang()));
    }
  }

  // ---------------------------------------------------------------- helpers

  private static Alarm.Armed armed(IngressResult r) {
    return (Alarm.Armed) assertInstanceOf(IngressResult.Replied.class, r).reply();
  }

  private static void awaitCount(TestNode node, long n) {
    Await.until("counter c reached " + n, Duration.ofSeconds(15), () -> node.state(COUNTER).state(),
        s -> ((Counter.State) s).total() >= n);
  }

  /** Waits until the alarm has rung at least {@code n} times and returns exactly what it recorded. */
  private static List<Alarm.Rang> awaitRang(TestNode node, int n) {
    MachineView v = Await.until("the alarm rang " + n + " time(s)", Duration.ofSeconds(15),
        () -> node.state(ALARM), s -> ((Alarm.State) s.state()).rang().size() >= n);
    return ((Alarm.State) v.state()).rang();
  }

  private static List<String> labels(List<Alarm.Rang> rang) {
    return rang.stream().map(Alarm.Rang::label).toList();
  }
}
