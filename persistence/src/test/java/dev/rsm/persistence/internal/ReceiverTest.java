package dev.rsm.persistence.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rsm.actors.Address;
import dev.rsm.persistence.internal.Protocol.Deliver;
import dev.rsm.persistence.machines.Counter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The receiving side of a channel: the next message is handled, a gap is dropped, a duplicate is
 * acknowledged again, and a "duplicate" of the last handled message that is another message (its
 * sender's journal lost the step that sent the first) is neither handled nor acknowledged.
 */
class ReceiverTest {
  static final Address SELF = Counter.TYPE.address("r"), FROM = Counter.TYPE.address("s");

  static RuntimeState handledUpTo(long hw, Object last) {
    RuntimeState s = new RuntimeState(new Counter.State(0, 0));
    s.apply(new StepTaken(new Origin.Channel(FROM, hw), last, 0, 0, List.of(), null, List.of(), null),
        s.user, 10, 0);
    return s;
  }

  static Receiver.Verdict classify(RuntimeState s, long seq, Object input) {
    return Receiver.classify(s, new Deliver(FROM, seq, input, null, null), PayloadBytes.standalone(), SELF,
        LoggerFactory.getLogger(ReceiverTest.class));
  }

  @Test
  void theNextMessageIsHandledAndAGapIsDropped() {
    RuntimeState s = handledUpTo(3, new Counter.Add(3));
    assertEquals(Receiver.Simple.NEXT, classify(s, 4, new Counter.Add(4)));
    assertEquals(Receiver.Simple.GAP, classify(s, 6, new Counter.Add(6)));
    assertEquals(Receiver.Simple.NEXT, classify(new RuntimeState(new Counter.State(0, 0)), 1, new Counter.Add(1)),
        "a channel starts at 1");
  }

  @Test
  void aDuplicateIsAcknowledgedAgainUpToWhatItProves() {
    RuntimeState s = handledUpTo(3, new Counter.Add(3));
    assertEquals(new Receiver.Duplicate(3, 3), classify(s, 3, new Counter.Add(3)), "the last one, the same");
    assertEquals(new Receiver.Duplicate(2, 3), classify(s, 1, new Counter.Add(1)), "an older one proves up to hw - 1");
  }

  @Test
  void anotherMessageUnderTheLastHandledNumberIsRefused() {
    RuntimeState s = handledUpTo(3, new Counter.Add(3));
    assertEquals(Receiver.Simple.REFUSED, classify(s, 3, new Counter.Add(300)));
  }
}
