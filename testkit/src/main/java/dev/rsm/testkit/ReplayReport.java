package dev.rsm.testkit;

import dev.rsm.actors.Address;
import java.util.List;
import java.util.Optional;

/**
 * What {@link ReplayCheck} found: per machine, how many journaled steps the current handlers
 * reproduced and where they first diverged; and the journals it could not check.
 *
 * @param machines the checked machines, in persistence-id order
 * @param skipped journals not checked, each with the reason (e.g. a machine type the registry lacks)
 */
public record ReplayReport(List<Machine> machines, List<String> skipped) {

  /** The first step of a machine whose replay differs from its journal. */
  public record Divergence(Address machine, long seqNr, String difference) {
    @Override
    public String toString() {
      return "machine " + machine + " diverges at sequence number " + seqNr + ": " + difference;
    }
  }

  /**
   * One machine: {@code steps} journaled steps replayed identically, then {@code divergence}
   * (null when the whole journal replayed identically).
   */
  public record Machine(Address machine, long steps, Divergence divergence) {}

  /** Whether every checked journal replayed identically. */
  public boolean ok() {
    return firstDivergence().isEmpty();
  }

  /** The first divergence, in persistence-id order. */
  public Optional<Divergence> firstDivergence() {
    return machines.stream().map(Machine::divergence).filter(d -> d != null).findFirst();
  }

  /** Every divergence, one per diverging machine. */
  public List<Divergence> divergences() {
    return machines.stream().map(Machine::divergence).filter(d -> d != null).toList();
  }

  /** Total steps replayed identically. */
  public long stepsChecked() {
    return machines.stream().mapToLong(Machine::steps).sum();
  }

  /** @throws AssertionError naming the first divergence and how many machines diverge */
  public ReplayReport assertNoDivergence() {
    if (!ok()) throw new AssertionError(summary());
    return this;
  }

  public String summary() {
    List<Divergence> d = divergences();
    String head = d.isEmpty()
        ? "replay check passed: " + machines.size() + " machines, " + stepsChecked() + " steps replayed identically"
        : "replay check failed: " + d.size() + " of " + machines.size() + " machines diverge; first: " + d.get(0);
    return skipped.isEmpty() ? head : head + "; not checked: " + skipped;
  }

  @Override
  public String toString() {
    return summary();
  }
}
