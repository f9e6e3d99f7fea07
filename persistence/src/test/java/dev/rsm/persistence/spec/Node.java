package dev.rsm.persistence.spec;

import com.typesafe.config.Config;
import dev.rsm.actors.Address;
import dev.rsm.persistence.FaultInjector;
import dev.rsm.persistence.Machines;
import dev.rsm.persistence.StepObserver;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * A node the simulation drives: {@link SimNode} (the {@code LocalRuntime} wiring) or, in the
 * sharding module, a single-node cluster running {@code ShardedRuntime}. The simulation needs its
 * client, its actor system (the store's configuration and serialization, for {@link Abstraction})
 * and a way to make its transport deliver a message again (a duplicate, out of order).
 */
interface Node extends AutoCloseable {
  ActorSystem<?> system();

  Machines machines();

  /**
   * Carries to {@code to} once more a message {@code from} sent it earlier, the i-th of them
   * (modulo their number). False if there is none yet.
   */
  boolean duplicate(Address from, Address to, int i);

  @Override
  void close();

  /** Starts a node on {@code store} with {@code config} over it, its machines faulted by {@code faults}. */
  interface Factory {
    Node start(String name, Config store, Config config, FaultInjector faults, StepObserver observer);
  }
}
