package dev.rsm.persistence.internal;

import dev.rsm.actors.Address;
import dev.rsm.actors.Context;
import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Step;
import dev.rsm.persistence.ReplayDivergenceException;
import dev.rsm.persistence.RuntimeSettings;
import dev.rsm.persistence.StepObserver;
import dev.rsm.persistence.internal.StepTaken.Sent;
import dev.rsm.persistence.internal.StepTaken.TimerSet;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * INTERNAL API. Re-runs a journaled step with its recorded time and seed and compares what the
 * handler produces now with what the journal holds: sends and calls (target, sequence number,
 * input), timer changes, effects requested (name, request) and reply, as the journal records them (see {@link PayloadBytes#same}: a value read back from the
 * journal need not be {@code equals} to the one the handler produces). The first difference fails
 * recovery, unless the operator chose to adopt the journaled outputs.
 */
public final class Replay {
  private static final Logger LOG = LoggerFactory.getLogger(Replay.class);

  private Replay() {}

  /**
   * Returns the user state after {@code e}; throws {@link ReplayDivergenceException}. A divergence
   * is reported to {@code observer} either way.
   */
  static Object recompute(
      Machine<Object, Object> machine, Address self, RuntimeState s, StepTaken e,
      RuntimeSettings settings, PayloadBytes codec, StepObserver observer) {
    long seqNr = s.seqNr + 1;
    Recomputed r = rerun(machine, self, s, e, codec);
    if (r.difference() == null) return r.next();
    observer.replayDiverged(self, settings.adoptJournaledOutputs());
    if (!settings.adoptJournaledOutputs())
      throw new ReplayDivergenceException(self.toString(), seqNr, r.difference());
    LOG.warn("machine {} step {}: {}; adopting the journaled outputs (adopt-journaled-outputs = on)",
        self, seqNr, r.difference());
    return r.next();
  }

  private record Recomputed(Object next, String difference) {}

  private static Recomputed rerun(
      Machine<Object, Object> machine, Address self, RuntimeState s, StepTaken e, PayloadBytes codec) {
    try {
      Step<Object> step = machine.handle(s.user, Envelopes.forHandler(e.input()), Context.of(self, e.time(), e.seed()));
      return new Recomputed(step.nextState(s.user),
          difference(e, expected(s, step, self, e), step.reply(), codec));
    } catch (RuntimeException ex) {
      return new Recomputed(s.user,
          "the handler now throws " + ex + " on " + StepRecorder.describe(e.input()));
    }
  }

  /**
   * The outcome of checking one machine's journal against the current handlers: how many steps
   * were replayed, the user state they rebuilt, and the first difference (null when none; then
   * {@code seqNr} is the sequence number of the diverging step and {@code state} the state before
   * it).
   */
  public record Checked(Address machine, long seqNr, Object state, String difference) {
    public boolean diverged() {
      return difference != null;
    }
  }

  /**
   * Replays a machine's journal, exactly as recovery does, with the current handlers of {@code
   * type}, and stops at the first step whose sends, timers or reply differ from the journaled ones
   * (or whose handler now throws). Rejected steps are applied without running the handler, as in
   * recovery. This is the entry point of the testkit's replay check.
   *
   * @param events the machine's {@link StepTaken} events from sequence number 1, in order
   */
  public static Checked check(MachineType<?, ?> type, String id, Iterable<StepTaken> events) {
    Follower f = new Follower(type, id, PayloadBytes.standalone());
    for (StepTaken e : events) {
      String d = f.step(e);
      if (d != null) return new Checked(f.self, f.seqNr() + 1, f.state(), d);
    }
    return new Checked(f.self, f.seqNr(), f.state(), null);
  }

  /**
   * INTERNAL API. One machine's journal replayed step by step, as {@link #check} does for a whole
   * journal at once: the replica monitor keeps one per machine it follows and hands it each new
   * step as it reaches the journal. Not thread-safe.
   */
  public static final class Follower {
    private final Machine<Object, Object> machine;
    private final Address self;
    private final PayloadBytes codec;
    private final RuntimeState s;

    @SuppressWarnings("unchecked")
    public Follower(MachineType<?, ?> type, String id, PayloadBytes codec) {
      this.machine = (Machine<Object, Object>) type.machine();
      this.self = type.address(id);
      this.codec = codec;
      this.s = new RuntimeState(type.initialState());
    }

    /**
     * Re-runs step {@code seqNr() + 1} with its recorded time and seed and compares its outputs
     * with the journaled ones. Returns the first difference, and then stays before the step;
     * returns null when it matches, and then applies it. Rejected steps are applied without
     * running the handler, as in recovery.
     */
    public String step(StepTaken e) {
      Object next = s.user;
      if (e.rejected() == null) {
        Recomputed r = rerun(machine, self, s, e, codec);
        if (r.difference() != null) return r.difference();
        next = r.next();
      }
      // The idempotency cache does not influence outputs: keep it minimal.
      s.apply(e, next, 1, 0);
      // Nothing acknowledges a replay's sends: drop them, or a follower's outbox grows for ever.
      // Only the channels' numbers matter to the steps after.
      for (Sent sent : e.sends()) s.ack(sent.to(), sent.seq());
      return null;
    }

    /** The steps applied so far (the machine's sequence number after them). */
    public long seqNr() {
      return s.seqNr;
    }

    /** The user state after {@link #seqNr()} steps. */
    public Object state() {
      return s.user;
    }

    public Address machine() {
      return self;
    }

  }

  /**
   * How a snapshot a machine wrote after {@code steps} steps differs from {@code state}, the state
   * a replay had then (null when it does not). Only the user state and the step count are
   * compared: the rest (channel positions, keys, timers) follows from the journaled outputs.
   */
  public static String snapshotDifference(MachineSnapshot snapshot, long steps, Object state, PayloadBytes codec) {
    if (snapshot.seqNr() != steps)
      return "snapshot after step " + snapshot.seqNr() + ", expected after step " + steps;
    if (!codec.same(snapshot.state(), state))
      return "snapshot state " + snapshot.state() + ", replay produced state " + state;
    return null;
  }

  private record Expected(List<Sent> sends, List<TimerSet> timers, List<StepTaken.EffectAsked> effects) {}

  /** The step as the live path records it (StepRecorder), from the state before it. */
  private static Expected expected(RuntimeState s, Step<Object> step, Address self, StepTaken e) {
    List<Sent> sends = StepRecorder.sends(s, step, self, e.origin(), e.input());
    return new Expected(sends, StepRecorder.timers(s, step, e.time(), sends, e.origin(), e.input()),
        StepRecorder.effects(step));
  }

  /** A description of the first difference, or null when the step matches the journal. */
  static String difference(StepTaken journaled, Expected now, Object reply, PayloadBytes codec) {
    String d = firstDifference("send", journaled.sends(), now.sends(), (a, b) -> a.to().equals(b.to())
        && a.seq() == b.seq() && codec.same(a.input(), b.input()));
    if (d != null) return d;
    d = firstDifference("timer", journaled.timers(), now.timers(), (a, b) -> a.name().equals(b.name())
        && a.generation() == b.generation() && a.deadline() == b.deadline()
        && codec.same(a.input(), b.input()));
    if (d != null) return d;
    d = firstDifference("effect", journaled.effects(), now.effects(), (a, b) -> a.name().equals(b.name())
        && codec.same(a.request(), b.request()));
    if (d != null) return d;
    if (!codec.same(journaled.reply(), reply))
      return "journaled reply " + journaled.reply() + ", replay produced reply " + reply;
    return null;
  }

  private static <T> String firstDifference(
      String what, List<T> journaled, List<T> now, BiPredicate<T, T> same) {
    int n = Math.max(journaled.size(), now.size());
    for (int i = 0; i < n; i++) {
      T j = i < journaled.size() ? journaled.get(i) : null;
      T r = i < now.size() ? now.get(i) : null;
      if (j == null || r == null || !same.test(j, r))
        return what + " #" + (i + 1) + ": journaled " + (j == null ? "nothing" : j)
            + ", replay produced " + (r == null ? "nothing" : r);
    }
    return null;
  }
}
