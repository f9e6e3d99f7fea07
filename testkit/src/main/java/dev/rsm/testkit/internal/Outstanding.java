package dev.rsm.testkit.internal;

import dev.rsm.actors.Address;
import dev.rsm.actors.EffectResult;
import dev.rsm.actors.Reply;
import dev.rsm.actors.Step;
import dev.rsm.persistence.internal.StepTaken;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * INTERNAL API. The numbers the runtime gives a machine's outputs, kept for the {@code
 * HandlerTester}: the sequence number of each step (1, 2, ... per handled input, answers and
 * outcomes included), each send's number on the channel to its target (1, 2, ... per target,
 * sends and calls alike), and the calls and effects still waiting for their answer or outcome.
 * With them the tester builds exactly the {@link Reply} and {@link EffectResult} the runtime would
 * hand the machine, and refuses to hand one twice.
 *
 * <p>Calls and effects are found by identity: the {@link Step.Send} and {@link Step.Effect} objects
 * of the step that made them (two equal calls of two steps are two calls).
 */
public final class Outstanding {
  private final Map<Address, Long> lastSeq = new HashMap<>();
  private long seqNr;
  private final Map<Step.Send, Call> calls = new IdentityHashMap<>();
  private final List<Call> open = new ArrayList<>(); // calls without an answer yet, in call order
  private final Map<Step.Effect, Effect> effects = new IdentityHashMap<>();
  private final List<Effect> pendingEffects = new ArrayList<>();

  /** The sequence number of the last step taken; 0 before the first. */
  public long seqNr() {
    return seqNr;
  }

  /** Counts a step that {@code self} took at {@code now}: numbers its sends, keeps its calls and effects. */
  public void taken(Address self, Step<?> step, Instant now) {
    seqNr++;
    for (Step.Send send : step.sends()) {
      long number = lastSeq.merge(send.to(), 1L, Long::sum);
      if (!send.call()) continue;
      Call c = new Call(send, number, send.timeout() == null ? null : now.plus(send.timeout()));
      calls.put(send, c);
      open.add(c);
    }
    for (int i = 0; i < step.effects().size(); i++) {
      Step.Effect e = step.effects().get(i);
      Effect f = new Effect(e, self.type() + "/" + self.id() + "/" + StepTaken.effectId(seqNr, i));
      effects.put(e, f);
      pendingEffects.add(f);
    }
  }

  /** Counts a step that handles nothing: the journaled late answer to a call that timed out. */
  public void ignored() {
    seqNr++;
  }

  /** The call {@code send} made by a step taken here. */
  public Call call(Step.Send send) {
    Call c = calls.get(send);
    if (c == null)
      throw new IllegalArgumentException(send + " is not a call of a step this tester took"
          + " (pass one of Result.calls(), of a step of handle(input), not handle(state, input))");
    return c;
  }

  /** The effect {@code effect} requested by a step taken here. */
  public Effect effect(Step.Effect effect) {
    Effect f = effects.get(effect);
    if (f == null)
      throw new IllegalArgumentException(effect + " is not an effect of a step this tester took"
          + " (pass one of Result.effects(), of a step of handle(input), not handle(state, input))");
    return f;
  }

  /** The unanswered call with a timeout whose deadline is the earliest at or before {@code end}, or null. */
  public Call nextTimeout(Instant end) {
    Call next = null;
    for (Call c : open)
      if (c.deadline != null && !c.deadline.isAfter(end) && (next == null || c.deadline.isBefore(next.deadline))) next = c;
    return next;
  }

  /** The calls not answered (nor timed out) yet, in call order. */
  public List<Step.Send> pendingCalls() {
    return open.stream().map(c -> c.send).toList();
  }

  /** The effects whose outcome was not handed over yet, in request order. */
  public List<Step.Effect> pendingEffects() {
    return pendingEffects.stream().map(f -> f.effect).toList();
  }

  /** One call: its number on the channel to the callee, its deadline (null: none), how it ended. */
  public final class Call {
    final Step.Send send;
    final long number;
    final Instant deadline;
    Reply.Status status; // null while open
    boolean lateAnswer;

    Call(Step.Send send, long number, Instant deadline) {
      this.send = send;
      this.number = number;
      this.deadline = deadline;
    }

    public long number() {
      return number;
    }

    /** When the runtime times it out (the calling step's time plus the timeout), or null. */
    public Instant deadline() {
      return deadline;
    }

    public Step.Send send() {
      return send;
    }

    /** Whether it has no answer yet (nor timed out). */
    public boolean open() {
      return status == null;
    }

    /**
     * Whether an answer with {@code status} now comes after the call timed out: the runtime
     * journals it and hands it to no one.
     *
     * @throws IllegalStateException if the machine handled this call's answer already (or its
     *     late answer was fed already)
     */
    public boolean late(Reply.Status status) {
      if (this.status == Reply.Status.TIMED_OUT && status != Reply.Status.TIMED_OUT && !lateAnswer) return true;
      if (this.status != null)
        throw new IllegalStateException("call " + number + " to " + send.to() + " (" + send.input()
            + ") already ended " + this.status + (lateAnswer ? " and its late answer was ignored" : "")
            + ": the runtime hands each call one answer, once");
      return false;
    }

    /** The answer the runtime hands the caller. */
    public Reply<Object> reply(Reply.Status status, Object value, String error) {
      return new Reply<>(send.to(), number, send.input(), status, value, error);
    }

    /** The machine handled the answer with {@code status} (or ignored the late one). */
    public void ended(Reply.Status status) {
      if (this.status == null) {
        this.status = status;
        open.remove(this);
      } else lateAnswer = true;
    }
  }

  /** One effect: its idempotency key, and whether its outcome was handed over. */
  public final class Effect {
    final Step.Effect effect;
    final String key;
    boolean done;

    Effect(Step.Effect effect, String key) {
      this.effect = effect;
      this.key = key;
    }

    public String key() {
      return key;
    }

    /**
     * The outcome the runtime hands the machine.
     *
     * @throws IllegalStateException if this effect's outcome was handled already
     */
    public EffectResult<Object> result(boolean ok, Object value, String error, int attempts) {
      if (done)
        throw new IllegalStateException("the outcome of effect " + effect.name() + " " + key
            + " was handled already: the runtime hands each effect's outcome over once");
      if (attempts < 1) throw new IllegalArgumentException("attempts must be >= 1: " + attempts);
      return new EffectResult<>(effect.name(), key, effect.request(), ok, value, error, attempts);
    }

    /** The machine handled the outcome. */
    public void ended() {
      done = true;
      pendingEffects.remove(this);
    }
  }
}
