package dev.rsm.persistence.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rsm.actors.Address;
import dev.rsm.actors.Reply;
import dev.rsm.persistence.machines.Buyer;
import dev.rsm.persistence.machines.Counter;
import dev.rsm.persistence.internal.StepTaken.EffectAsked;
import dev.rsm.persistence.internal.StepTaken.Sent;
import dev.rsm.persistence.internal.StepTaken.TimerSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Replay covers calls and effects: a journal the handlers still produce replays clean, and a
 * handler that now requests another effect, or stops requesting one, or calls without the timeout
 * it had, is a divergence naming the step and the difference.
 */
class CallEffectReplayTest {
  static final Address C = Counter.TYPE.address("c");
  static final long T = 1_700_000_000_000L;

  static StepTaken pay(List<EffectAsked> effects) {
    return new StepTaken(new Origin.External("k"), new Buyer.Pay("x", 1), T, 1, List.of(), "x", List.of(), null, effects);
  }

  static StepTaken callWithTimeout(long timeoutMs) {
    Counter.Add add = new Counter.Add(5);
    return new StepTaken(new Origin.External("c"), new Buyer.CallCounter("c", 5, 500), T, 2,
        List.of(new Sent(C, 1, new Envelopes.CallRequest(add))), null,
        List.of(new TimerSet(Envelopes.callTimer(C, 1), 1, T + timeoutMs,
            new Envelopes.CallReply(C, 1, add, Reply.Status.TIMED_OUT, null, "no answer within PT0.5S"))), null);
  }

  static StepTaken answer() {
    return new StepTaken(new Origin.Channel(C, 1), new Envelopes.CallReply(C, 1, new Counter.Add(5), Reply.Status.OK,
        new Counter.Total(5), null), T + 10, 3, List.of(), null, List.of(new TimerSet(Envelopes.callTimer(C, 1), 2, 0, null)),
        null);
  }

  @Test
  void aJournalTheHandlersStillProduceReplaysClean() {
    Replay.Checked c = Replay.check(Buyer.TYPE, "b",
        List.of(pay(List.of(new EffectAsked(Buyer.PAY, new Buyer.Charge("x", 1)))), callWithTimeout(500), answer()));
    assertEquals(null, c.difference());
    assertEquals(new Buyer.State(List.of("counter c 5 OK 5")), c.state());
  }

  @Test
  void aHandlerThatNoLongerRequestsAnEffectItOnceRequestedDiverges() {
    Replay.Checked c = Replay.check(Buyer.TYPE, "b", List.of(pay(List.of(
        new EffectAsked(Buyer.PAY, new Buyer.Charge("x", 1)), new EffectAsked(Buyer.PAY, new Buyer.Charge("x", 1))))));
    assertTrue(c.diverged());
    assertEquals(1, c.seqNr());
    assertTrue(c.difference().startsWith("effect #2: journaled EffectAsked[name=pay"), c.difference());
    assertTrue(c.difference().endsWith("replay produced nothing"), c.difference());
  }

  @Test
  void aHandlerThatNowRequestsADifferentEffectDiverges() {
    Replay.Checked c = Replay.check(Buyer.TYPE, "b", List.of(pay(List.of(new EffectAsked(Buyer.PAY, new Buyer.Charge("y", 1))))));
    assertTrue(c.diverged());
    assertTrue(c.difference().startsWith("effect #1"), c.difference());
    Replay.Checked none = Replay.check(Buyer.TYPE, "b", List.of(pay(List.of())));
    assertTrue(none.difference().startsWith("effect #1: journaled nothing"), none.difference());
  }

  @Test
  void aCallWhoseTimeoutChangedDiverges() {
    Replay.Checked c = Replay.check(Buyer.TYPE, "b", List.of(callWithTimeout(900)));
    assertTrue(c.diverged());
    assertTrue(c.difference().startsWith("timer #1"), c.difference());
  }
}
