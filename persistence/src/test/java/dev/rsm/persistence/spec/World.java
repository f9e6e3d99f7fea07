package dev.rsm.persistence.spec;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.Address;
import dev.rsm.persistence.FaultInjector;
import dev.rsm.persistence.FaultInjector.Point;
import dev.rsm.persistence.StepObserver;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.Transformer;

/**
 * What the simulation's tries share, so that a try costs only its actions: one H2 store, the node
 * that hosts A and B ({@code node}), a second node on the same store for B's second incarnation
 * ({@code other}), the crashes armed by the actions, the machines' hibernations. Each try uses
 * fresh machine ids ({@link #newTry}).
 */
final class World implements AutoCloseable {
  /** Fast hibernation, timers and resends: a try settles in milliseconds. */
  static final Config SIM = ConfigFactory.parseString("""
      rsm.persistence {
        hibernate-after = 3ms
        passivate-after = 1h
        delivery.resend-interval = 50ms
        restart.min-backoff = 5ms
        restart.max-backoff = 50ms
      }
      pekko.loglevel = WARNING
      # hibernation, timers and resends are scheduled: a 1 ms tick instead of 10 ms lets a try
      # wait for them in milliseconds
      pekko.scheduler.tick-duration = 1ms
      """);

  final Node node;
  final Node other;
  final Abstraction abstraction;
  final boolean withSecond;
  /** How long a caller waits for an answer before it gives up (and retries its key later). */
  final Duration ask;
  private final AtomicInteger tries = new AtomicInteger();
  final Map<Address, Point> armed = new ConcurrentHashMap<>();
  final Set<Address> hibernated = ConcurrentHashMap.newKeySet();
  final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
  /** When the nodes run under leases: how B's lease moves to the second node and back. */
  volatile Leases leases;

  /**
   * Nodes that answer only under a lease of B's (a shard lease): the second incarnation gets to
   * write only after the first node lost the lease and the second acquired it.
   */
  interface Leases {
    /** The first node stops renewing its leases (they expire), the second renews what it acquires. */
    void toOther();

    /** The second node stops renewing, the first renews again (and acquires once the second's expire). */
    void back();

    /** How long the second node may take to acquire an expired lease and answer. */
    Duration takeover();
  }
  private final String name;

  /** A world whose nodes run {@code LocalRuntime} with {@code extra} over {@link #SIM}. */
  World(String name, Config extra, boolean withSecond) {
    this(name, extra, withSecond, SimNode::new, Duration.ofMillis(100));
  }

  /** A world whose nodes {@code nodes} starts, with {@code extra} over {@link #SIM}. */
  World(String name, Config extra, boolean withSecond, Node.Factory nodes, Duration ask) {
    this.name = name;
    this.ask = ask;
    this.withSecond = withSecond;
    // H2 in memory, shared by both nodes of this JVM by its name: a try costs no file writes.
    Config store = ConfigFactory.parseString("rsm.storage.jdbc.url = \"jdbc:h2:mem:rsm-" + name + "-" + System.nanoTime()
        + ";DB_CLOSE_DELAY=-1\"");
    Config config = extra.withFallback(SIM);
    FaultInjector faults = (point, machine) -> {
      boolean crash = armed.remove(machine, point);
      if (crash) count("crash " + point);
      return crash;
    };
    StepObserver observer = new StepObserver() {
      @Override
      public void stepJournaled(Address machine, Object input, long seqNr) {
        hibernated.remove(machine);
      }

      @Override
      public void hibernated(Address machine) {
        hibernated.add(machine);
        count("hibernated");
      }

      @Override
      public void woke(Address machine) {
        hibernated.remove(machine);
        count("woke");
      }
    };
    this.node = nodes.start(name, store, config, faults, observer);
    this.other = withSecond ? nodes.start(name + "-other", store, config, faults, StepObserver.NONE) : null;
    this.abstraction = new Abstraction(node.system());
  }

  void count(String what) {
    add(what, 1);
  }

  void add(String what, long n) {
    counts.computeIfAbsent(what, k -> new LongAdder()).add(n);
  }

  Simulation newTry() {
    count("tries");
    return new Simulation(this, name + "-" + tries.incrementAndGet());
  }

  /** Random chains of up to {@code max} of the model's actions, run against this world. */
  Arbitrary<ActionChain<Simulation>> chains(int max, boolean twoIncarnations) {
    Arbitrary<Integer> machine = Arbitraries.integers().between(0, 1);
    Arbitrary<Integer> key = Arbitraries.integers().between(1, 3);
    Arbitrary<SimAction> send = Combinators.combine(machine, key).as(SimAction.Send::new);
    Arbitrary<SimAction> duplicate =
        Combinators.combine(machine, Arbitraries.integers().between(0, 3)).as(SimAction.Duplicate::new);
    Arbitrary<SimAction> crash =
        Combinators.combine(machine, Arbitraries.of(Point.class)).as(SimAction.Crash::new);
    Arbitrary<SimAction> hibernate = machine.map(SimAction.Hibernate::new);
    Arbitrary<SimAction> wake = machine.map(SimAction.Wake::new);
    Arbitrary<SimAction> second = key.map(SimAction.Second::new);
    @SuppressWarnings("unchecked")
    Arbitrary<SimAction> any = twoIncarnations && withSecond
        ? Arbitraries.frequencyOf(Tuple.of(6, send), Tuple.of(2, duplicate), Tuple.of(1, crash),
            Tuple.of(2, hibernate), Tuple.of(2, wake), Tuple.of(2, second))
        : Arbitraries.frequencyOf(Tuple.of(6, send), Tuple.of(2, duplicate), Tuple.of(1, crash),
            Tuple.of(2, hibernate), Tuple.of(2, wake));
    Action.Independent<Simulation> action = () -> any.map(a -> Transformer.mutate(a.toString(), sim -> sim.step(a)));
    return ActionChain.startWith(this::newTry).withAction(action).withMaxTransformations(max);
  }

  String stats() {
    return new java.util.TreeMap<>(counts).toString();
  }

  @Override
  public void close() {
    abstraction.close();
    if (other != null) other.close();
    node.close();
  }
}
