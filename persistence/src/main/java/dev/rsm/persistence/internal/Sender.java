package dev.rsm.persistence.internal;

import dev.rsm.actors.Address;
import dev.rsm.persistence.internal.Protocol.Ack;
import dev.rsm.persistence.internal.Protocol.Command;
import dev.rsm.persistence.internal.Protocol.Deliver;
import dev.rsm.persistence.internal.Protocol.JournalChecked;
import dev.rsm.persistence.internal.Protocol.ResendTick;
import dev.rsm.persistence.internal.StepTaken.Sent;
import io.opentelemetry.api.trace.Span;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.slf4j.Logger;

/**
 * INTERNAL API. The wire side of one machine's channels: puts journaled outputs on the wire within
 * each channel's window ({@code delivery.window} unacknowledged), takes acknowledgements, resends
 * what makes no progress with exponential backoff, and sends this machine's own acknowledgements.
 * What the channels hold (numbers, unacknowledged outputs) is in the {@link RuntimeState}; this
 * holds only the resend tick. One per incarnation of the machine: a tick of an earlier one is
 * recognised by its owner and ignored.
 */
final class Sender {
  private final Address self;
  private final ActorContext<Command> ctx;
  // Settings, transport and observer: one reference (an awake machine holds a Sender).
  private final MachineEnvironment env;
  private final Logger log;
  private final Tracing tracing;
  // Null until a traced step sends (tracing on): the steps of this incarnation's unacknowledged
  // outputs, so that their deliveries are the steps' children.
  private Tracing.Outputs outputs;
  private Cancellable resendTimer;
  // The unacknowledged outputs last reported to the observer: what this incarnation adds to the
  // node's count, taken back when it stops or hibernates.
  private int reportedUnacked;
  // A journal check (checkJournal) is in flight: acknowledgements beyond the channel wait for it.
  private boolean checkingJournal;
  private final Function<Address, CompletableFuture<Long>> journal;

  /** Without tracing, and with no journal to ask (unit tests): see {@link #checkJournal}. */
  Sender(Address self, ActorContext<Command> ctx, MachineEnvironment env, Logger log) {
    this(self, ctx, env, log, Tracing.OFF, NO_JOURNAL);
  }

  /** Asking the actor system's journal ({@link UnwrittenReads#highestSequenceNr}). */
  Sender(Address self, ActorContext<Command> ctx, MachineEnvironment env, Logger log, Tracing tracing) {
    this(self, ctx, env, log, tracing, null);
  }

  private static final Function<Address, CompletableFuture<Long>> NO_JOURNAL = machine -> null;

  /**
   * {@code journal} answers with a machine's highest sequence number in the journal, or is null
   * when the journal cannot be asked; a null {@code journal} is the actor system's (no object per
   * machine for it).
   */
  Sender(Address self, ActorContext<Command> ctx, MachineEnvironment env, Logger log, Tracing tracing,
      Function<Address, CompletableFuture<Long>> journal) {
    this.self = self;
    this.ctx = ctx;
    this.env = env;
    this.log = log;
    this.tracing = tracing;
    this.journal = journal;
  }

  /**
   * Puts on the wire the unsent, journaled outputs of {@code ch} that fit in the window; returns
   * how many.
   */
  int sendWindow(OutChannel ch, Address to) {
    return sendWindow(ch, to, false);
  }

  private int sendWindow(OutChannel ch, Address to, boolean resend) {
    long limit = Math.min(ch.acked + env.settings().window(), ch.journaledUpTo);
    if (ch.sentUpTo >= limit) return 0;
    int sentNow = 0;
    ActorRef<Command> direct = ch.directRoute();
    for (Sent sent : ch.unacked) {
      if (sent.seq() > limit) break;
      if (sent.seq() <= ch.sentUpTo) continue;
      Deliver d = new Deliver(self, sent.seq(), sent.input(), ctx.getSelf(), ch,
          outputs == null ? null : tracing.delivering(self, outputs, ch, sent.seq(), resend));
      if (direct != null) direct.tell(d);
      else {
        env.transport().tell(to, d);
        ch.routedUpTo = sent.seq();
      }
      ch.sentUpTo = sent.seq();
      sentNow++;
    }
    ch.lastSendNanos = System.nanoTime();
    return sentNow;
  }

  /** Output {@code seq} on {@code ch} was taken by {@code step} (null when tracing is off). */
  void traced(OutChannel ch, long seq, Span step) {
    if (step == null) return;
    if (outputs == null) outputs = new Tracing.Outputs();
    outputs.add(ch, seq, step);
  }

  /** The steps of unacknowledged outputs this incarnation holds for tracing. */
  int tracedOutputs() {
    return outputs == null ? 0 : outputs.size();
  }

  /** After recovery: everything recovered was journaled, and nothing of it is known to be sent. */
  void resendAll(RuntimeState s) {
    int resent = 0;
    for (Map.Entry<Address, OutChannel> e : s.outbox.entrySet()) {
      OutChannel ch = e.getValue();
      ch.journaledUpTo = ch.lastSeq;
      ch.sentUpTo = ch.acked;
      resent += sendWindow(ch, e.getKey());
    }
    if (resent > 0) env.observer().resent(self, resent);
    reportUnacked(s);
    ensureResendTick(s);
  }

  /** Tells the observer how the machine's unacknowledged outputs changed since it last did. */
  void reportUnacked(RuntimeState s) {
    int delta = s.unacked - reportedUnacked;
    if (delta == 0) return;
    reportedUnacked = s.unacked;
    env.observer().unackedChanged(self, delta);
  }

  /** Takes an acknowledgement: drops what it covers and fills the window again. */
  void applyAck(RuntimeState s, Ack a) {
    // The channel handed back is used when it is this incarnation's (not one before a restart).
    OutChannel ch = a.channel() instanceof OutChannel c && c.owner == s ? c : s.outbox.get(a.from());
    if (ch == null) return;
    if (a.hw() > ch.lastSeq) {
      // The receiver handled messages this machine has no record of sending: either another
      // incarnation of it journaled more steps and sent them (this one is stale), or the store
      // lost steps after their outputs were delivered. The journal tells which (journalChecked).
      if (!checkingJournal) checkJournal(ch, a);
      return;
    }
    if (s.ack(ch, a.upTo()) != null) {
      if (outputs != null) outputs.acked(ch);
      ch.backoffNanos = 0;
      if (a.by() != null) ch.route = a.by();
      sendWindow(ch, a.from());
      reportUnacked(s);
    }
  }

  /**
   * Asks the journal for the machine's highest sequence number, answered with a {@link
   * JournalChecked} to the machine; one question at a time (acknowledgements come at every resend).
   * When the journal cannot be asked, the store is taken to have lost steps, as before.
   */
  private void checkJournal(OutChannel ch, Ack a) {
    CompletableFuture<Long> highest = journal != null ? journal.apply(self)
        : UnwrittenReads.highestSequenceNr(ctx.getSystem(), self, env.settings().askTimeout());
    if (highest == null) {
      lostSteps(a.from(), a.hw(), ch.lastSeq);
      return;
    }
    checkingJournal = true;
    Address to = a.from();
    long hw = a.hw();
    long lastSeq = ch.lastSeq;
    ctx.pipeToSelf(highest, (h, failure) -> new JournalChecked(this, to, hw, lastSeq, h == null ? -1 : h));
  }

  /**
   * The journal's answer to {@link #checkJournal}, with {@code written} the sequence number this
   * incarnation's event sourcing holds (what it recovered plus what it wrote). When the journal
   * holds rows beyond it, another incarnation of the machine wrote them (a split brain without
   * leases, two clusters on one database) and its sends moved the receiver on: this copy is stale.
   * Returns true when it is and {@code settled} (nothing unwritten, no input waiting): the caller
   * takes no further step and is replaced by a stack recovering from the journal, whose channels
   * then match the receivers' marks. An unsettled stale copy's next write is fenced by the
   * journal's key and restarts it from the journal anyway; meanwhile the next acknowledgement asks
   * again. Otherwise the store lost steps, said at ERROR. An answer to an earlier incarnation
   * (before a restart) is ignored.
   */
  boolean journalChecked(JournalChecked j, long written, boolean settled) {
    if (j.owner() != this) return false;
    checkingJournal = false;
    if (j.highest() > written) {
      if (!settled) return false;
      log.warn("machine {} is a stale incarnation: {} has handled up to #{} on its channel from this copy, which "
          + "numbered messages only up to #{}, and the journal holds sequence numbers up to {} where this copy "
          + "wrote up to {}: another incarnation of the machine wrote since (a split brain, or two clusters on "
          + "one database); recovering from the journal", self, j.to(), j.hw(), j.lastSeq(), j.highest(), written);
      return true;
    }
    if (j.highest() < 0)
      log.warn("channel {} -> {}: the journal did not answer for the machine's highest sequence number", self, j.to());
    lostSteps(j.to(), j.hw(), j.lastSeq());
    return false;
  }

  private void lostSteps(Address to, long hw, long lastSeq) {
    log.error("channel {} -> {}: the receiver has handled up to #{}, but this machine's journal numbers its "
        + "messages only up to #{}: steps that sent #{}..#{} are missing from the journal (the store lost "
        + "acknowledged writes). The acknowledgement is ignored: messages numbered since stay unacknowledged",
        self, to, hw, lastSeq, lastSeq + 1, hw);
  }

  /**
   * Acknowledges messages up to {@code upTo} from {@code to} (whose high-water mark here is {@code
   * hw}): straight to the sending incarnation when its actor is known, else through the transport.
   */
  void acknowledge(Address to, ActorRef<Command> ackTo, Object channel, long upTo, long hw) {
    if (ackTo != null) ackTo.tell(new Ack(self, upTo, hw, channel, ctx.getSelf()));
    else env.transport().tell(to, new Ack(self, upTo, hw, null, null));
  }

  /**
   * Starts the resend tick when outputs are unacknowledged. Only the tick itself stops it, once it
   * finds nothing to resend: a busy machine goes from one unacknowledged output to none and back
   * on every message, and starting and cancelling a scheduler timer each time would cost more.
   */
  void ensureResendTick(RuntimeState s) {
    if (s.unacked > 0 && resendTimer == null)
      resendTimer = ctx.scheduleOnce(env.settings().resendInterval(), ctx.getSelf(), new ResendTick(this));
  }

  /**
   * Resends, from the oldest unacknowledged output, channels that made no progress lately. A tick
   * of another incarnation (scheduled before a restart) is ignored: it would start a second chain.
   */
  void onResendTick(RuntimeState s, ResendTick t) {
    if (t.owner() != this) return;
    resendTimer = null;
    long now = System.nanoTime();
    long base = env.settings().resendInterval().toNanos();
    long max = env.settings().resendMaxBackoff().toNanos();
    // Only the channels that had unacknowledged outputs since the last tick, not the whole outbox:
    // a machine talking to hundreds of others has a few in flight at a time.
    List<OutChannel> pending = s.pending;
    int resent = 0;
    for (int i = 0; i < pending.size(); ) {
      OutChannel ch = pending.get(i);
      if (ch.unacked.isEmpty()) {
        ch.pending = false;
        pending.set(i, pending.get(pending.size() - 1));
        pending.remove(pending.size() - 1);
        continue;
      }
      i++;
      long wait = Math.max(base, ch.backoffNanos);
      if (now - ch.lastSendNanos < wait) continue;
      ch.sentUpTo = ch.acked;
      ch.route = null; // resends take the transport, which finds the receiver wherever it is now
      resent += sendWindow(ch, ch.to, true);
      ch.backoffNanos = Math.min(max, wait * 2);
    }
    if (resent > 0) env.observer().resent(self, resent);
    ensureResendTick(s);
  }

  /** On hibernation, restart and stop. */
  void cancel() {
    if (resendTimer != null) resendTimer.cancel();
    resendTimer = null;
    if (reportedUnacked != 0) env.observer().unackedChanged(self, -reportedUnacked);
    reportedUnacked = 0;
  }
}
