package dev.rsm.persistence.internal;

import java.util.List;

/**
 * INTERNAL API. Several steps of one machine journaled as one event (one row, one write): the
 * inputs that queued up while the machine's previous write was in flight. Each step is exactly
 * what a {@link StepTaken} on its own would be, in the order the steps were taken; the row is
 * atomic, so either all of them happened or none did.
 */
public record StepsTaken(List<StepTaken> steps) implements Event {
  public StepsTaken {
    steps = List.copyOf(steps);
    if (steps.size() < 2) throw new IllegalArgumentException("a batch holds two steps or more");
  }
}
