package dev.rsm.persistence.spec;

import com.typesafe.config.ConfigFactory;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.state.ActionChain;

/**
 * The runtime simulates the spec (issue 21, part 5): random chains of the model's actions (sends
 * and retries with idempotency keys, duplicates and reorderings by the transport, crashes at each
 * FaultInjector boundary, hibernation, waking reads) are driven into a real node, and after each
 * action the abstraction of the runtime's state must be a state {@code spec/rsm.pml} reaches by
 * that action followed by the model's steps, with the model's invariants; each chain ends with the
 * model's liveness (everything settles). A failure shrinks to a minimal chain and prints it.
 */
class RuntimeSimulationTest {
  static World world;

  @BeforeContainer
  static void start() {
    world = new World("sim", ConfigFactory.empty(), true);
  }

  private static long started;
  private static long triesBefore;

  @BeforeProperty
  void clock() {
    started = System.nanoTime();
    triesBefore = world.counts.containsKey("tries") ? world.counts.get("tries").sum() : 0;
  }

  @AfterProperty
  void report() {
    long tries = world.counts.get("tries").sum() - triesBefore;
    System.out.printf("simulation: a property ran %d chains (shrinking included) in %.1f s%n", tries,
        (System.nanoTime() - started) / 1e9);
  }

  @AfterContainer
  static void stop() {
    System.out.println("simulation: " + world.stats());
    world.close();
  }

  @Property(tries = 1500)
  void oneIncarnationEachSimulatesTheModel(@ForAll("oneEach") ActionChain<Simulation> chain) {
    chain.run().settle();
  }

  @Property(tries = 250)
  void aSecondIncarnationOfBSimulatesTheModel(@ForAll("withSecond") ActionChain<Simulation> chain) {
    chain.run().settle();
  }

  @Provide
  Arbitrary<ActionChain<Simulation>> oneEach() {
    return world.chains(12, false);
  }

  @Provide
  Arbitrary<ActionChain<Simulation>> withSecond() {
    return world.chains(12, true);
  }
}
