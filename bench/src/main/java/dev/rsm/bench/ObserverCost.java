package dev.rsm.bench;

import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.Address;
import dev.rsm.actors.MachineType;
import dev.rsm.app.metrics.RsmMetrics;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.StepObserver;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * What the node's metrics cost per step, without the noise of a whole run: the events the
 * {@code rsm} workload's steps report (a step journaled, its journal write, its output counted
 * unacknowledged and then acknowledged) sent to the metrics observer by two threads at once (as
 * two dispatcher threads would), against the same calls to an observer that does nothing. Prints
 * nanoseconds per step for both.
 *
 * <pre>{@code java -cp bench/target/rsm-bench.jar dev.rsm.bench.ObserverCost}</pre>
 */
public final class ObserverCost {
  private static final int THREADS = 2;
  private static final long STEPS = 20_000_000;

  public static void main(String[] args) throws Exception {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "observer-cost",
        ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
    try {
      MachineType<HopMachine.Input, HopMachine.State> type = MachineType.of("hop", HopMachine::new);
      StepObserver none = new StepObserver() {
        @Override
        public void stepJournaled(Address machine, Object input, long seqNr) {}
      };
      StepObserver metrics = RsmMetrics.get(system).observe(MachineRegistry.of(type), none);
      for (int round = 1; round <= 3; round++) // the first rounds warm up the JIT
        System.out.printf("round %d: without metrics %.1f ns/step, with metrics %.1f ns/step%n", round,
            nanosPerStep(none, type), nanosPerStep(metrics, type));
    } finally {
      system.terminate();
    }
  }

  private static double nanosPerStep(StepObserver observer, MachineType<?, ?> type) throws InterruptedException {
    List<Thread> threads = new ArrayList<>();
    long start = System.nanoTime();
    for (int t = 0; t < THREADS; t++) {
      Address machine = type.address("m-" + t);
      Thread thread = new Thread(() -> {
        Object input = "token";
        for (long i = 0; i < STEPS; i++) {
          observer.stepJournaled(machine, input, i);
          observer.journalWritten(machine, 1, 1_000_000);
          observer.unackedChanged(machine, 1);
          observer.unackedChanged(machine, -1);
        }
      });
      threads.add(thread);
      thread.start();
    }
    for (Thread t : threads) t.join();
    // Wall time of THREADS threads on as many cores: per step of one thread.
    return (System.nanoTime() - start) / (double) STEPS;
  }
}
