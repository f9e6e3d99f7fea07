package dev.rsm.persistence.spec;

import dev.rsm.persistence.FaultInjector.Point;

/**
 * The model's actions as the simulation drives them into the runtime. Machine {@code m} is {@link
 * ModelState#A} or {@link ModelState#B}; keys are the callers' idempotency keys (a repeated key is
 * a retry, the model's {@code req} set again).
 */
public sealed interface SimAction {
  /** The caller sends machine m the request with key k (or retries it). */
  record Send(int m, int key) implements SimAction {
    @Override public String toString() { return "send(" + name(m) + ", key " + key + ")"; }
  }

  /** The transport delivers again the i-th Deliver it carried to m: a duplicate, out of order. */
  record Duplicate(int m, int i) implements SimAction {
    @Override public String toString() { return "duplicate(to " + name(m) + ", #" + i + ")"; }
  }

  /** m's incarnation dies the next time it passes {@code point} (the model's crash). */
  record Crash(int m, Point point) implements SimAction {
    @Override public String toString() { return "crash(" + name(m) + " at " + point + ")"; }
  }

  /** m becomes idle and settled and hibernates (MachineActor). */
  record Hibernate(int m) implements SimAction {
    @Override public String toString() { return "hibernate(" + name(m) + ")"; }
  }

  /** A read wakes m (GetState): the model's wake, then its read. */
  record Wake(int m) implements SimAction {
    @Override public String toString() { return "wake+read(" + name(m) + ")"; }
  }

  /** B's second incarnation, on the second node, handles the request with key k and writes. */
  record Second(int key) implements SimAction {
    @Override public String toString() { return "second-incarnation-writes(B, key " + key + ")"; }
  }

  /** Faults stop and callers retry their keys until answered: only the model's steps follow. */
  record Settle() implements SimAction {
    @Override public String toString() { return "settle"; }
  }

  static String name(int m) {
    return m == ModelState.A ? "A" : "B";
  }
}
