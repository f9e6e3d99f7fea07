package dev.rsm.persistence.spec;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rsm.persistence.FaultInjector;
import dev.rsm.persistence.StepObserver;
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
 * driven into {@code ShardedRuntime} ({@link ShardedSimNode}): node 1, a single-node cluster, hosts
 * A and B; B's second incarnation runs on node 2, a second single-node cluster on the same database
 * (a split brain). After each action the abstraction must be a state the model reaches by that
 * action, with its invariants; each chain ends with the model's liveness.
 */
class ShardedRuntimeSimulationTest {
  static World unleased;

  @BeforeContainer
  static void start() {
    // Without leases: only the journal's primary key fences B's stale copy (the model's PK fence).
    unleased = new World("unleased", ConfigFactory.parseString("pekko.cluster.sharding.use-lease = \"\""), true,
        ShardedRuntimeSimulationTest::node, java.time.Duration.ofMillis(200));
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

  @BeforeProperty
  void clock() {
    started = System.nanoTime();
    triesBefore = unleased.counts.containsKey("tries") ? unleased.counts.get("tries").sum() : 0;
  }

  @AfterProperty
  void report() {
    long tries = unleased.counts.get("tries").sum() - triesBefore;
    System.out.printf("sharded simulation: a property ran %d chains (shrinking included) in %.1f s%n", tries,
        (System.nanoTime() - started) / 1e9);
  }

  @AfterContainer
  static void stop() {
    System.out.println("sharded simulation (no leases): " + unleased.stats());
    unleased.close();
  }

  @Property(tries = 300)
  void oneIncarnationEachSimulatesTheModel(@ForAll("oneEach") ActionChain<Simulation> chain) {
    chain.run().settle();
  }

  @Property(tries = 150)
  void aSecondIncarnationOfBFencedByTheJournalSimulatesTheModel(@ForAll("withSecond") ActionChain<Simulation> chain) {
    chain.run().settle();
  }

  @Provide
  Arbitrary<ActionChain<Simulation>> oneEach() {
    return unleased.chains(12, false);
  }

  @Provide
  Arbitrary<ActionChain<Simulation>> withSecond() {
    return unleased.chains(12, true);
  }
}
