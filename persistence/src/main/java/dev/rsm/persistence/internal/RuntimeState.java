package dev.rsm.persistence.internal;

import dev.rsm.actors.Address;
import dev.rsm.persistence.internal.MachineSnapshot.Armed;
import dev.rsm.persistence.internal.StepTaken.Sent;
import dev.rsm.persistence.internal.StepTaken.TimerSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
final class RuntimeState {
  Object user;
  long seqNr;
  final HashMap<Address, Long> inbox = new HashMap<>(4);
  final HashMap<Address, OutChannel> outbox = new HashMap<>(4);
  final IdempotencyCache keys = new IdempotencyCache();
  final HashMap<String, Armed> timers = new HashMap<>(2);
  long timerGeneration;
  int unacked;

  RuntimeState(Object user) {
    this.user = user;
  }

  long highWater(Address from) {
    Long hw = inbox.get(from);
    return hw == null ? 0 : hw;
  }

  OutChannel channel(Address to) {
    return outbox.computeIfAbsent(to, a -> new OutChannel(0, 0));
  }

  long nextSeq(Address to) {
    OutChannel ch = outbox.get(to);
    return ch == null ? 1 : ch.lastSeq + 1;
  }

  boolean hasPendingWork() {
    return unacked > 0 || !timers.isEmpty();
  }

  /** Applies a journaled step; {@code nextUser} is the user state the handler produced. */
  void apply(StepTaken e, Object nextUser, int maxKeys, long retentionMillis) {
    user = nextUser;
    seqNr++;
    if (e.origin() instanceof Origin.Channel c) {
      inbox.put(c.from(), c.seq());
    } else if (e.origin() instanceof Origin.External x) {
      if (x.key() != null) keys.put(x.key(), e.reply(), e.time(), maxKeys, retentionMillis);
    } else if (e.origin() instanceof Origin.Timer t) {
      Armed a = timers.get(t.name());
      if (a != null && a.generation() == t.generation()) timers.remove(t.name());
    }
    for (Sent s : e.sends()) {
      channel(s.to()).append(s);
      unacked++;
    }
    for (TimerSet t : e.timers()) {
      timerGeneration = Math.max(timerGeneration, t.generation());
      if (t.isCancel()) timers.remove(t.name());
      else timers.put(t.name(), new Armed(t.name(), t.generation(), t.deadline(), t.input()));
    }
  }

  /** Acknowledges {@code upTo} on the channel to {@code to}; returns whether it was progress. */
  boolean ack(Address to, long upTo) {
    OutChannel ch = outbox.get(to);
    if (ch == null) return false;
    int before = ch.unacked.size();
    boolean progress = ch.ack(upTo);
    unacked -= before - ch.unacked.size();
    return progress;
  }

  MachineSnapshot toSnapshot() {
    List<MachineSnapshot.Inbound> in = new ArrayList<>(inbox.size());
    inbox.forEach((a, hw) -> in.add(new MachineSnapshot.Inbound(a, hw)));
    List<MachineSnapshot.Outbound> out = new ArrayList<>(outbox.size());
    outbox.forEach(
        (a, ch) ->
            out.add(new MachineSnapshot.Outbound(a, ch.lastSeq, ch.acked, List.copyOf(ch.unacked))));
    List<MachineSnapshot.Key> ks = new ArrayList<>(keys.entries.size());
    keys.entries.forEach((k, v) -> ks.add(new MachineSnapshot.Key(k, v.reply(), v.time())));
    return new MachineSnapshot(
        user, seqNr, in, out, ks, List.copyOf(timers.values()), timerGeneration);
  }

  static RuntimeState fromSnapshot(MachineSnapshot s) {
    RuntimeState r = new RuntimeState(s.state());
    r.seqNr = s.seqNr();
    for (MachineSnapshot.Inbound i : s.inbox()) r.inbox.put(i.from(), i.hw());
    for (MachineSnapshot.Outbound o : s.outbox()) {
      OutChannel ch = new OutChannel(o.lastSeq(), o.acked());
      ch.unacked.addAll(o.unacked());
      r.unacked += o.unacked().size();
      r.outbox.put(o.to(), ch);
    }
    for (MachineSnapshot.Key k : s.keys())
      r.keys.entries.put(k.key(), new IdempotencyCache.Entry(k.reply(), k.time()));
    for (Armed a : s.timers()) r.timers.put(a.name(), a);
    r.timerGeneration = s.timerGeneration();
    return r;
  }

  Map<String, Armed> timers() {
    return timers;
  }
}
