package dev.rsm.persistence.spec;

import com.typesafe.config.ConfigFactory;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.state.ActionChain;

/**
 * The simulation against a deliberately broken runtime: idempotency keys are forgotten 1 ms after
 * the next key's step ({@code idempotency.retention = 1ms}), so a caller's retry is handled again,
 * as the model's {@code BUG_NO_DEDUP} handles a repeated key. Not a test of its own (surefire does
 * not pick up the name): {@link SimulationCatchesDefectsTest} runs it and expects it to fail with
 * a shrunk chain.
 */
class BrokenDedupSimulation {
  static World world;

  @BeforeContainer
  static void start() {
    world = new World("broken-dedup", ConfigFactory.parseString("rsm.persistence.idempotency.retention = 1ms"), false);
  }

  @AfterContainer
  static void stop() {
    world.close();
  }

  @Property(tries = 300)
  void aRuntimeThatForgetsKeysSimulatesTheModel(@ForAll("chains") ActionChain<Simulation> chain) {
    chain.run().settle();
  }

  @Provide
  Arbitrary<ActionChain<Simulation>> chains() {
    // Short chains: a failure needs three actions, and shrinking re-runs each candidate with the
    // runtime's waits.
    return world.chains(6, false);
  }
}
