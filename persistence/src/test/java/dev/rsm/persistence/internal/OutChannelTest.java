package dev.rsm.persistence.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rsm.actors.Address;
import dev.rsm.persistence.internal.StepTaken.Sent;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Cumulative acknowledgements drop exactly the acknowledged outputs, in order. */
class OutChannelTest {
  private static final Address TO = new Address("account", "b");

  private static OutChannel withOutputs(long from, long to) {
    OutChannel ch = new OutChannel(null, TO, from - 1, from - 1);
    for (long seq = from; seq <= to; seq++) ch.append(new Sent(TO, seq, "m" + seq));
    return ch;
  }

  private static List<Long> seqs(OutChannel ch) {
    return ch.unacked.stream().map(Sent::seq).toList();
  }

  @Test
  void anAcknowledgementDropsEveryOutputUpToIt() {
    OutChannel ch = withOutputs(1, 5);
    assertTrue(ch.ack(3));
    assertEquals(List.of(4L, 5L), seqs(ch));
    assertEquals(3, ch.acked);
    assertFalse(ch.ack(2), "an older acknowledgement is no progress");
    assertFalse(ch.ack(3), "a repeated one neither");
    assertEquals(List.of(4L, 5L), seqs(ch));
  }

  @Test
  void anAcknowledgementBeyondTheLastOutputIsCapped() {
    OutChannel ch = withOutputs(8, 10);
    assertTrue(ch.ack(99));
    assertEquals(List.of(), seqs(ch));
    assertEquals(10, ch.acked);
    ch.append(new Sent(TO, 11, "m11"));
    assertTrue(ch.ack(11));
    assertEquals(List.of(), seqs(ch));
  }

  @Test
  void outputsThatAreNotContiguousAreDroppedBySequenceNumber() {
    // Not produced by the runtime (sequence numbers per channel have no gaps), but never lose an
    // unacknowledged output if it happens: fall back to reading each output's number.
    OutChannel ch = new OutChannel(null, TO, 0, 0);
    ch.append(new Sent(TO, 2, "m2"));
    ch.append(new Sent(TO, 5, "m5"));
    assertTrue(ch.ack(3));
    assertEquals(List.of(5L), seqs(ch));
  }

  @Test
  void aCompactedIdleChannelKeepsItsNumbersAndTakesTheNextOutput() {
    OutChannel ch = withOutputs(1, 3);
    ch.compact(); // outputs in flight: nothing is dropped
    assertEquals(List.of(1L, 2L, 3L), seqs(ch));
    assertTrue(ch.ack(3));
    ch.compact();
    assertEquals(3, ch.lastSeq);
    assertEquals(3, ch.acked);
    ch.append(new Sent(TO, 4, "m4"));
    assertEquals(List.of(4L), seqs(ch));
    assertTrue(ch.ack(4));
    assertTrue(ch.unacked.isEmpty());
  }
}
