package dev.rsm.persistence.internal;

import dev.rsm.actors.Address;
import dev.rsm.persistence.MachineView;
import dev.rsm.persistence.internal.MachineSnapshot.Armed;
import dev.rsm.persistence.internal.StepTaken.Sent;
import dev.rsm.persistence.internal.StepTaken.TimerSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.List;
import java.util.Map;
import org.apache.pekko.persistence.typed.SnapshotAdapter;

/**
 * INTERNAL API. The state of one machine as the runtime sees it. Mutable on purpose: copying maps
 * on every step would make the per-message cost grow with the number of channels and keys. It is
 * only touched on the machine's actor thread; snapshots are copied into an immutable {@link
 * MachineSnapshot} on that thread by the snapshot adapter.
 *
 * <p>Only {@link #apply} (the event handler) changes what recovery must reproduce. Acknowledgements
 * trim the outbox without an event: after a crash those outputs are resent and the receiver
 * deduplicates them, so correctness never depends on acknowledgements being journaled.
 */
final class RuntimeState implements StepRecorder.Numbers {
  Object user;
  long seqNr;
  // Per incoming channel, the high-water mark and the input handled under it, in a mutable cell: a
  // step updates it in place instead of storing a fresh boxed Long into an old map entry (an
  // allocation and a card the young GC must scan). The input is what a duplicate of that sequence
  // number is compared with (see Inbound).
  // The collections start as shared empty immutable ones, replaced by their own on the first
  // write (see the mutable* methods): an idle machine that never used one does not keep it.
  Map<Address, Inbound> inbox = Map.of();
  Map<Address, OutChannel> outbox = Map.of();
  // Transient: the channels that may have unacknowledged outputs (a superset, pruned by the resend
  // tick), so that the tick need not scan every channel.
  List<OutChannel> pending = List.of();
  final IdempotencyCache keys = new IdempotencyCache();
  Map<String, Armed> timers = Map.of();
  long timerGeneration;
  int unacked;
  // Effects requested and not yet handled, by id, in the order they were requested; and the calls
  // whose timeout was handled before their answer arrived (their timer's name), so that the late
  // answer is ignored. Both usually empty.
  Map<String, MachineSnapshot.Pending> effects = Map.of();
  Set<String> timedOutCalls = Set.of();

  RuntimeState(Object user) {
    this.user = user;
  }

  /** The receiving side of one channel: the last sequence number handled, and its input. */
  static final class Inbound {
    long hw;
    // Null when unknown (recovered from a snapshot written before it was kept there).
    Object last;

    Inbound(long hw, Object last) {
      this.hw = hw;
      this.last = last;
    }
  }

  long highWater(Address from) {
    Inbound in = inbox.get(from);
    return in == null ? 0 : in.hw;
  }

  /** The channel from {@code from}, or null if nothing from it was handled. */
  Inbound inbound(Address from) {
    return inbox.get(from);
  }

  OutChannel channel(Address to) {
    return mutableOutbox().computeIfAbsent(to, a -> new OutChannel(this, a, 0, 0));
  }

  private Map<Address, Inbound> mutableInbox() {
    if (!(inbox instanceof HashMap)) inbox = new HashMap<>(4);
    return inbox;
  }

  private Map<Address, OutChannel> mutableOutbox() {
    if (!(outbox instanceof HashMap)) outbox = new HashMap<>(4);
    return outbox;
  }

  private Map<String, Armed> mutableTimers() {
    if (!(timers instanceof HashMap)) timers = new HashMap<>(2);
    return timers;
  }

  private void addPending(OutChannel ch) {
    if (!(pending instanceof ArrayList)) pending = new ArrayList<>(4);
    ch.pending = true;
    pending.add(ch);
  }

  @Override
  public long timerGeneration() {
    return timerGeneration;
  }

  @Override
  public long nextSeq(Address to) {
    OutChannel ch = outbox.get(to);
    return ch == null ? 1 : ch.lastSeq + 1;
  }

  @Override
  public boolean timerArmed(String name) {
    return timers.containsKey(name);
  }

  boolean awaitsAcks() {
    return unacked > 0;
  }

  /**
   * Applies a journaled step; {@code nextUser} is the user state the handler produced. Returns the
   * channel of the step's first send (null without sends), so that sending it after the write
   * needs no second lookup in a map that is cold in the cache by then.
   */
  OutChannel apply(StepTaken e, Object nextUser, int maxKeys, long retentionMillis) {
    return apply(e, nextUser, maxKeys, retentionMillis, 0);
  }

  /** The same; {@code fingerprint} is that of a keyed external input (see IdempotencyCache). */
  OutChannel apply(StepTaken e, Object nextUser, int maxKeys, long retentionMillis, long fingerprint) {
    user = nextUser;
    seqNr++;
    if (e.origin() instanceof Origin.Channel c) {
      Inbound in = inbox.get(c.from());
      if (in == null) mutableInbox().put(c.from(), new Inbound(c.seq(), e.input()));
      else {
        in.hw = c.seq();
        in.last = e.input();
      }
    } else if (e.origin() instanceof Origin.External x) {
      if (x.key() != null) keys.put(x.key(), e.reply(), e.time(), fingerprint, maxKeys, retentionMillis);
    } else if (e.origin() instanceof Origin.Timer t) {
      Armed a = timers.get(t.name());
      if (a != null && a.generation() == t.generation()) timers.remove(t.name()); // held a, so mutable
      if (Envelopes.isCallTimer(t.name())) {
        if (!(timedOutCalls instanceof HashSet)) timedOutCalls = new HashSet<>(2);
        timedOutCalls.add(t.name());
      }
    } else if (e.origin() instanceof Origin.Effect f) {
      if (!effects.isEmpty()) effects.remove(f.id());
    }
    if (!timedOutCalls.isEmpty() && e.origin() instanceof Origin.Channel c && e.input() instanceof Envelopes.CallReply r)
      timedOutCalls.remove(Envelopes.callTimer(c.from(), r.call()));
    for (int i = 0; i < e.effects().size(); i++) {
      if (!(effects instanceof LinkedHashMap)) effects = new LinkedHashMap<>(2);
      StepTaken.EffectAsked f = e.effects().get(i);
      String id = StepTaken.effectId(seqNr, i);
      effects.put(id, new MachineSnapshot.Pending(id, f.name(), f.request()));
    }
    OutChannel first = null;
    for (Sent s : e.sends()) {
      OutChannel ch = channel(s.to());
      ch.append(s);
      if (!ch.pending) addPending(ch);
      if (first == null) first = ch;
      unacked++;
    }
    for (TimerSet t : e.timers()) {
      timerGeneration = Math.max(timerGeneration, t.generation());
      if (t.isCancel()) {
        if (!timers.isEmpty()) timers.remove(t.name());
      } else mutableTimers().put(t.name(), new Armed(t.name(), t.generation(), t.deadline(), t.input()));
    }
    return first;
  }

  /** Acknowledges {@code upTo} on the channel to {@code to}; returns it if that was progress. */
  OutChannel ack(Address to, long upTo) {
    OutChannel ch = outbox.get(to);
    return ch == null ? null : ack(ch, upTo);
  }

  /** The same, for a channel of this state's outbox. */
  OutChannel ack(OutChannel ch, long upTo) {
    int before = ch.unacked.size();
    boolean progress = ch.ack(upTo);
    unacked -= before - ch.unacked.size();
    return progress ? ch : null;
  }

  MachineSnapshot toSnapshot() {
    List<MachineSnapshot.Inbound> in = new ArrayList<>(inbox.size());
    inbox.forEach((a, i) -> in.add(new MachineSnapshot.Inbound(a, i.hw, i.last)));
    List<MachineSnapshot.Outbound> out = new ArrayList<>(outbox.size());
    outbox.forEach(
        (a, ch) ->
            out.add(new MachineSnapshot.Outbound(a, ch.lastSeq, ch.acked, List.copyOf(ch.unacked))));
    List<MachineSnapshot.Key> ks = new ArrayList<>(keys.size());
    keys.forEach((k, v) -> ks.add(new MachineSnapshot.Key(k, v.reply(), v.time(), v.fingerprint())));
    return new MachineSnapshot(user, seqNr, in, out, ks, List.copyOf(timers.values()), timerGeneration,
        List.copyOf(effects.values()), List.copyOf(timedOutCalls));
  }

  static RuntimeState fromSnapshot(MachineSnapshot s) {
    RuntimeState r = new RuntimeState(s.state());
    r.seqNr = s.seqNr();
    for (MachineSnapshot.Inbound i : s.inbox()) r.mutableInbox().put(i.from(), new Inbound(i.hw(), i.last()));
    for (MachineSnapshot.Outbound o : s.outbox()) {
      OutChannel ch = new OutChannel(r, o.to(), o.lastSeq(), o.acked());
      for (Sent u : o.unacked()) ch.unacked.addLast(u);
      if (!ch.unacked.isEmpty()) r.addPending(ch);
      r.unacked += o.unacked().size();
      r.mutableOutbox().put(o.to(), ch);
    }
    for (MachineSnapshot.Key k : s.keys())
      r.keys.restore(k.key(), new IdempotencyCache.Entry(k.reply(), k.time(), k.fingerprint()));
    for (Armed a : s.timers()) r.mutableTimers().put(a.name(), a);
    r.timerGeneration = s.timerGeneration();
    if (!s.effects().isEmpty()) {
      r.effects = new LinkedHashMap<>();
      for (MachineSnapshot.Pending p : s.effects()) r.effects.put(p.id(), p);
    }
    if (!s.timedOutCalls().isEmpty()) r.timedOutCalls = new HashSet<>(s.timedOutCalls());
    return r;
  }

  /**
   * Before hibernating (nothing unacknowledged): every channel keeps its numbers and drops what it
   * no longer uses, and the list of channels with outputs in flight goes.
   */
  void compact() {
    outbox.values().forEach(OutChannel::compact);
    if (unacked == 0) {
      for (OutChannel ch : pending) ch.pending = false;
      pending = List.of();
    }
  }

  /** What a state read answers. */
  MachineView view() {
    long next = timers.values().stream().mapToLong(Armed::deadline).min().orElse(0);
    return new MachineView(user, seqNr, unacked, timers.size(), next, effects.size());
  }

  /** Snapshots as the journal keeps them: an immutable copy, taken on the machine's thread. */
  static final SnapshotAdapter<RuntimeState> SNAPSHOTS = new SnapshotAdapter<>() {
    @Override
    public Object toJournal(RuntimeState state) {
      return state.toSnapshot();
    }

    @Override
    public RuntimeState fromJournal(Object from) {
      return fromSnapshot((MachineSnapshot) from);
    }
  };

  Map<String, Armed> timers() {
    return timers;
  }
}
