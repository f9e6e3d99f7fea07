package dev.rsm.persistence.spec;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rsm.persistence.FaultInjector;
import dev.rsm.persistence.StepObserver;
import dev.rsm.sharding.lease.LeaseHooks;
import java.time.Duration;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.BeforeProperty;
import net.jqwik.api.state.ActionChain;

/**
 * The sharded runtime simulates the spec (issue 21): the chains of {@link RuntimeSimulationTest}
 * driven into {@code ShardedRuntime} ({@link ShardedSimNode}). Node 1, a single-node cluster,
 * hosts A and B; B's second incarnation runs on node 2, a second single-node cluster on the same
 * database (a split brain). After each action the abstraction must be a state the model reaches by
 * that action, with its invariants; each chain ends with the model's liveness. Two worlds: with
 * shard leases (the default configuration, short timings) and without (only the journal's primary
 * key fences the stale copy, the model's PK fence).
 */
class ShardedRuntimeSimulationTest {
  /** Lease timings that let a lease expire and move in well under a second. */
  static final Config SHORT_LEASES = ConfigFactory.parseString("""
      rsm.lease {
        heartbeat-timeout = 600ms
        heartbeat-interval = 100ms
        safety-margin = 150ms
        lease-operation-timeout = 300ms
      }
      pekko.cluster.sharding.lease-retry-interval = 50ms
      """);
  static final Duration ASK = Duration.ofMillis(200);

  static World leased;
  static World unleased;

  @BeforeContainer
  static void start() {
    leased = new World("leased", SHORT_LEASES, true, ShardedRuntimeSimulationTest::node, ASK);
    leased.leases = new World.Leases() {
      @Override
      public void toOther() {
        LeaseHooks.holdRenewals(leased.node.system(), true);
        LeaseHooks.holdRenewals(leased.other.system(), false);
      }

      @Override
      public void back() {
        LeaseHooks.holdRenewals(leased.other.system(), true);
        LeaseHooks.holdRenewals(leased.node.system(), false);
      }

      @Override
      public Duration takeover() {
        return Duration.ofSeconds(3);
      }
    };
    unleased = new World("unleased", ConfigFactory.parseString("pekko.cluster.sharding.use-lease = \"\""), true,
        ShardedRuntimeSimulationTest::node, ASK);
  }

  /**
   * Node 2 runs without remembered entities, so Cluster Sharding keeps no metadata of its own in
   * the journal there: two clusters appending to the same {@code /sharding/rsm-duoCoordinator} and
   * {@code /sharding/rsm-duoShard/<n>} rows stop each other's coordinator and shards at every
   * conflict, and node 2 would host nothing. The machines' journal, what the simulation is about,
   * is the same for both; a crash restarts a machine in place on either node.
   */
  static Node node(String name, Config store, Config config, FaultInjector faults, StepObserver observer) {
    Config own = name.endsWith("-other")
        ? ConfigFactory.parseString("pekko.cluster.sharding.remember-entities = off").withFallback(config)
        : config;
    return new ShardedSimNode(name, store, own, faults, observer);
  }

  private static long started;
  private static long triesBefore;

  private static long tries() {
    long n = 0;
    for (World w : new World[] {leased, unleased}) if (w.counts.containsKey("tries")) n += w.counts.get("tries").sum();
    return n;
  }

  @BeforeProperty
  void clock() {
    started = System.nanoTime();
    triesBefore = tries();
  }

  @AfterProperty
  void report() {
    System.out.printf("sharded simulation: a property ran %d chains (shrinking included) in %.1f s%n",
        tries() - triesBefore, (System.nanoTime() - started) / 1e9);
  }

  @AfterContainer
  static void stop() {
    System.out.println("sharded simulation, shard leases: " + leased.stats());
    System.out.println("sharded simulation, no leases: " + unleased.stats());
    leased.close();
    unleased.close();
  }

  /** The default configuration (shard leases on), one incarnation of each machine. */
  @Property(tries = 150)
  void oneIncarnationEachSimulatesTheModel(@ForAll("oneEach") ActionChain<Simulation> chain) {
    chain.run().settle();
  }

  /** Leases off: B's stale copy on node 1 is fenced by the journal's primary key alone. */
  @Property(tries = 80)
  void aSecondIncarnationOfBFencedByTheJournalSimulatesTheModel(@ForAll("withSecond") ActionChain<Simulation> chain) {
    chain.run().settle();
  }

  /**
   * Leases on: the second incarnation writes only after node 1 lost B's lease and node 2 acquired
   * it; node 1 then answers no read of B, and every read answered under the lease shows the
   * journal's latest step.
   */
  @Property(tries = 15)
  void aSecondIncarnationOfBUnderTheLeaseSimulatesTheModel(@ForAll("leaseMoves") ActionChain<Simulation> chain) {
    chain.run().settle();
  }

  @Provide
  Arbitrary<ActionChain<Simulation>> oneEach() {
    return leased.chains(12, false);
  }

  @Provide
  Arbitrary<ActionChain<Simulation>> withSecond() {
    return unleased.chains(12, true);
  }

  @Provide
  Arbitrary<ActionChain<Simulation>> leaseMoves() {
    return leased.chains(8, true);
  }
}
