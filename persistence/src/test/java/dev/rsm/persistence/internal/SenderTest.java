package dev.rsm.persistence.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.Address;
import dev.rsm.persistence.RuntimeSettings;
import dev.rsm.persistence.internal.Protocol.Ack;
import dev.rsm.persistence.internal.Protocol.Deliver;
import dev.rsm.persistence.internal.Protocol.ResendTick;
import dev.rsm.persistence.machines.Counter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The wire side of a machine's channels, without an actor system: outputs leave within the window
 * and only once journaled, an acknowledgement moves the window on, one that claims more than was
 * ever sent moves nothing, and the resend tick resends from the oldest unacknowledged output with
 * doubling backoff, as one chain per incarnation.
 */
class SenderTest {
  static final Address SELF = Counter.TYPE.address("s"), TO = Counter.TYPE.address("r");
  static final RuntimeSettings SETTINGS = RuntimeSettings.fromConfig(ConfigFactory.load().getConfig("rsm.persistence"))
      .withWindow(2).withResendInterval(Duration.ofMillis(100)).withResendMaxBackoff(Duration.ofMillis(300));

  final RecordingContext rec = new RecordingContext();
  final Sender sender = new Sender(SELF, rec.ctx, new MachineEnvironment(SETTINGS, null, rec.transport,
      java.time.Clock.systemUTC(), dev.rsm.persistence.FaultInjector.NONE), LoggerFactory.getLogger(SenderTest.class));
  final RuntimeState s = new RuntimeState(new Counter.State(0, 0));

  /** Journals {@code n} outputs to TO, as steps whose writes completed. */
  OutChannel journaled(int n) {
    OutChannel ch = null;
    for (int i = 0; i < n; i++) {
      long seq = s.nextSeq(TO);
      ch = s.apply(new StepTaken(new Origin.External(null), new Counter.Add(0), 0, 0,
          List.of(new StepTaken.Sent(TO, seq, new Counter.Add(seq))), null, List.of(), null), s.user, 10, 0);
      ch.journaledUpTo = seq;
    }
    return ch;
  }

  List<Long> deliveredSeqs() {
    return rec.sent.stream().map(m -> assertInstanceOf(Deliver.class, m.message()).seq()).toList();
  }

  @Test
  void outputsLeaveWithinTheWindowAndAnAcknowledgementMovesItOn() {
    OutChannel ch = journaled(5);
    sender.sendWindow(ch, TO);
    assertEquals(List.of(1L, 2L), deliveredSeqs(), "window 2");
    sender.sendWindow(ch, TO);
    assertEquals(List.of(1L, 2L), deliveredSeqs(), "nothing twice");
    sender.applyAck(s, new Ack(TO, 1, 1, ch, null));
    assertEquals(List.of(1L, 2L, 3L), deliveredSeqs());
    assertEquals(4, s.unacked);
  }

  @Test
  void anOutputWaitsForItsJournalWrite() {
    OutChannel ch = journaled(2);
    ch.journaledUpTo = 1; // the second step's write has not completed
    sender.sendWindow(ch, TO);
    assertEquals(List.of(1L), deliveredSeqs());
  }

  @Test
  void anAcknowledgementBeyondWhatThisMachineNumberedMovesNothing() {
    OutChannel ch = journaled(2);
    sender.sendWindow(ch, TO);
    sender.applyAck(s, new Ack(TO, 5, 5, ch, null)); // the receiver handled #5: this journal lost steps
    assertEquals(2, s.unacked, "nothing acknowledged");
    assertEquals(0, ch.acked);
  }

  @Test
  void anAcknowledgementBeyondAsksTheJournalOnceAtATimeAndRowsNotWrittenHereMeanStale() throws Exception {
    java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.CompletableFuture<Long> highest = new java.util.concurrent.CompletableFuture<>();
    Sender checking = new Sender(SELF, rec.ctx, new MachineEnvironment(SETTINGS, null, rec.transport,
        java.time.Clock.systemUTC(), dev.rsm.persistence.FaultInjector.NONE), LoggerFactory.getLogger(SenderTest.class),
        Tracing.OFF, machine -> {
          asked.incrementAndGet();
          return highest;
        });
    OutChannel ch = journaled(2);
    checking.sendWindow(ch, TO);
    checking.applyAck(s, new Ack(TO, 2, 5, ch, null));
    checking.applyAck(s, new Ack(TO, 2, 5, ch, null)); // the next resend's: the check is in flight
    assertEquals(1, asked.get(), "one journal check at a time");
    assertEquals(2, s.unacked, "nothing acknowledged meanwhile");
    assertEquals(1, rec.piped.size());
    Protocol.JournalChecked answer = assertInstanceOf(Protocol.JournalChecked.class,
        rec.piped.get(0).toMessage().apply(4L, null));
    assertEquals(new Protocol.JournalChecked(checking, TO, 5, 2, 4), answer);
    assertTrue(checking.journalChecked(answer, 3, true), "the journal holds #4, this incarnation wrote up to #3: stale");
    assertTrue(!sender.journalChecked(answer, 3, true), "an answer to another incarnation's check is ignored");
    checking.applyAck(s, new Ack(TO, 2, 5, ch, null));
    assertEquals(2, asked.get(), "answered: the next acknowledgement beyond asks again");
    assertTrue(!checking.journalChecked(answer, 4, true), "nothing beyond what it wrote: the store lost steps");
    assertEquals(Protocol.JournalChecked.class, rec.piped.get(1).toMessage().apply(null, new RuntimeException()).getClass());
    assertEquals(-1, ((Protocol.JournalChecked) rec.piped.get(1).toMessage().apply(null, new RuntimeException())).highest(),
        "no answer: -1, taken as a store that lost steps");
  }

  @Test
  void theResendTickResendsFromTheOldestUnacknowledgedWithDoublingBackoff() throws InterruptedException {
    OutChannel ch = journaled(3);
    sender.sendWindow(ch, TO);
    sender.ensureResendTick(s);
    sender.ensureResendTick(s);
    List<Object> ticks = rec.live();
    assertEquals(1, ticks.size(), "one chain of ticks");
    ResendTick tick = assertInstanceOf(ResendTick.class, ticks.get(0));
    rec.sent.clear();
    sender.onResendTick(s, tick); // no time has passed since the send: nothing resent yet
    assertEquals(List.of(), deliveredSeqs());
    ch.lastSendNanos -= Duration.ofMillis(150).toNanos();
    sender.onResendTick(s, assertInstanceOf(ResendTick.class, rec.scheduled.get(rec.scheduled.size() - 1).message));
    assertEquals(List.of(1L, 2L), deliveredSeqs(), "from the oldest, within the window");
    assertEquals(Duration.ofMillis(200).toNanos(), ch.backoffNanos, "doubled");
    int before = rec.sent.size();
    sender.onResendTick(s, new ResendTick(new Object())); // an earlier incarnation's tick
    assertEquals(before, rec.sent.size());
  }

  @Test
  void aDuplicatesAcknowledgementGoesThroughTheTransportWhenTheSenderIsNotKnown() {
    sender.acknowledge(TO, null, null, 3, 3);
    Ack ack = assertInstanceOf(Ack.class, rec.sent.get(0).message());
    assertEquals(new Ack(SELF, 3, 3, null, null), ack);
    assertTrue(rec.sent.get(0).to().equals(TO));
  }
}
