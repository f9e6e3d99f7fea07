package dev.rsm.persistence.internal;

import dev.rsm.persistence.IngressResult;
import dev.rsm.persistence.internal.Protocol.Command;
import io.opentelemetry.api.trace.Span;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * INTERNAL API. The steps of one machine between being taken and being journaled.
 *
 * <p>A step is applied to the state as soon as it is taken (as Pekko applies an event before its
 * write) and journaled later; nothing of it leaves (sends, acknowledgement, reply) before its
 * write succeeds. With no write in flight a step is written at once. While a write is in flight,
 * Pekko stashes the inputs that arrive; when it completes, the stashed inputs are taken one after
 * another ("draining"), and a Flush sent at completion writes them all as one event, at most
 * {@code group-commit.max-steps} per row. A failed write stops the actor, and recovery rebuilds the
 * state from the journal.
 *
 * <p>It also holds what must wait for the unwritten steps: answers that could reveal them (a
 * duplicate key's reply, a state read, an acknowledgement of a duplicate), and the external callers
 * of steps not yet confirmed, who are told at once if the machine stops before replying.
 */
final class GroupCommit {
  /**
   * A step taken and applied, waiting for (or in) its journal write; {@code span} is its trace
   * span, null unless tracing is on ({@link Tracing}).
   */
  record Taken(StepTaken event, long seqNr, ActorRef<IngressResult> replyTo, ActorRef<Command> ackTo,
      Object ackChannel, OutChannel firstChannel, Span span) {}

  /** One journal write: its event (one step, or {@link StepsTaken}) and the steps in it. */
  record Batch(Event event, List<Taken> steps) {}

  /**
   * Where an awake machine is between its inputs and its journal. Pekko's event sourcing holds the
   * commands that arrive while it recovers or writes (its stash), so only HANDLING and DRAINING
   * see commands. The transitions are the ones {@link #to} allows, and only this class makes them.
   */
  enum Phase {
    /** Replaying the journal (or reading its highest sequence number, when waking). */
    RECOVERING,
    /** Taking inputs; a step is written at once. */
    HANDLING,
    /** A write is in flight. */
    WRITING,
    /** Taking the inputs that arrived during the last write; their steps are written together. */
    DRAINING
  }

  private Phase phase = Phase.RECOVERING;
  private final ArrayList<Taken> unwritten = new ArrayList<>(); // no array until a first step
  // The event being written, applied already; any other event the event handler sees is a replay.
  private Event pendingEvent;
  private final ArrayList<Runnable> afterWrite = new ArrayList<>(0);
  private final ArrayList<ActorRef<IngressResult>> awaitingReplies = new ArrayList<>(0);

  Phase phase() {
    return phase;
  }

  private void to(Phase next) {
    boolean allowed = switch (phase) {
      case RECOVERING -> next == Phase.HANDLING;
      case HANDLING -> next == Phase.WRITING;
      case WRITING -> next == Phase.HANDLING || next == Phase.DRAINING;
      case DRAINING -> next == Phase.WRITING || next == Phase.HANDLING;
    };
    if (!allowed) throw new IllegalStateException("a machine does not go from " + phase + " to " + next);
    phase = next;
  }

  /** Recovery completed: inputs are taken from now on. */
  void recovered() {
    to(Phase.HANDLING);
  }

  /** Taking inputs, with nothing taken and not yet written. */
  boolean settled() {
    return phase == Phase.HANDLING && unwritten.isEmpty();
  }

  /** Runs {@code answer} now if every step taken is written, else after the write that makes it so. */
  void whenWritten(Runnable answer) {
    if (unwritten.isEmpty()) answer.run();
    else afterWrite.add(answer);
  }

  /** Adds a taken step; returns whether to write now rather than with the steps still to drain. */
  boolean add(Taken step, int maxStepsPerWrite) {
    unwritten.add(step);
    if (step.replyTo() != null) awaitingReplies.add(step.replyTo());
    return phase != Phase.DRAINING || unwritten.size() >= maxStepsPerWrite;
  }

  /**
   * The write completed. With {@code arrivedMeanwhile}, the inputs stashed during it are taken
   * next, and their steps wait for the Flush the caller sends.
   */
  void written(boolean arrivedMeanwhile) {
    to(arrivedMeanwhile ? Phase.DRAINING : Phase.HANDLING);
  }

  /**
   * The Flush came: returns whether there is anything to write. A Flush can also come while
   * handling, when a drain filled a row and its write's own drain sent another.
   */
  boolean flush() {
    if (phase == Phase.DRAINING) to(Phase.HANDLING);
    return !unwritten.isEmpty();
  }

  /** Every unwritten step as one write; its event is remembered as applied already. */
  Batch takeBatch() {
    to(Phase.WRITING);
    List<Taken> steps = List.copyOf(unwritten);
    unwritten.clear();
    Event event;
    if (steps.size() == 1) {
      event = steps.get(0).event();
    } else {
      List<StepTaken> events = new ArrayList<>(steps.size());
      for (Taken t : steps) events.add(t.event());
      event = new StepsTaken(events);
    }
    pendingEvent = event;
    return new Batch(event, steps);
  }

  /** Whether {@code e} is the event being written (taken live, applied already); true once. */
  boolean isOwnWrite(Event e) {
    if (e != pendingEvent) return false;
    pendingEvent = null;
    return true;
  }

  /** After a write: the answers that waited for it, in the order they came. */
  void runAfterWrite() {
    if (afterWrite.isEmpty()) return;
    List<Runnable> answers = List.copyOf(afterWrite);
    afterWrite.clear();
    answers.forEach(Runnable::run);
  }

  void replied(ActorRef<IngressResult> caller) {
    awaitingReplies.remove(caller);
  }

  /** The machine stops: every caller still waiting for a step's confirmation gets {@code answer}. */
  void releaseCallers(IngressResult answer) {
    for (ActorRef<IngressResult> caller : awaitingReplies) caller.tell(answer);
    awaitingReplies.clear();
  }
}
