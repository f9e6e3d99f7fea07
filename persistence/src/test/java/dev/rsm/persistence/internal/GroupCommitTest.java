package dev.rsm.persistence.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Steps between being taken and being written: one step is its own row; steps taken while draining
 * wait for the Flush, at most max-steps per row; answers that could reveal an unwritten step wait
 * for its write; the event being written is recognised once when Pekko applies it.
 */
class GroupCommitTest {
  static GroupCommit.Taken step(long seqNr) {
    StepTaken e = new StepTaken(new Origin.External(null), "in" + seqNr, 0, 0, List.of(), null, List.of(), null);
    return new GroupCommit.Taken(e, seqNr, null, null, null, null, null);
  }

  static GroupCommit handling() {
    GroupCommit c = new GroupCommit();
    assertEquals(GroupCommit.Phase.RECOVERING, c.phase());
    c.recovered();
    return c;
  }

  @Test
  void aStepWithNoWriteInFlightIsWrittenAloneAndAtOnce() {
    GroupCommit c = handling();
    GroupCommit.Taken t = step(1);
    assertTrue(c.add(t, 100), "written now");
    GroupCommit.Batch b = c.takeBatch();
    assertSame(t.event(), b.event());
    assertEquals(GroupCommit.Phase.WRITING, c.phase());
    assertFalse(c.settled(), "a write in flight");
    assertTrue(c.isOwnWrite(b.event()), "the event being written is applied already");
    assertFalse(c.isOwnWrite(b.event()), "once: the same event again is a replay");
    c.written(false);
    assertEquals(GroupCommit.Phase.HANDLING, c.phase());
    assertTrue(c.settled());
  }

  @Test
  void stepsTakenWhileDrainingWaitForTheFlushUpToMaxStepsPerRow() {
    GroupCommit c = handling();
    c.add(step(0), 3);
    c.takeBatch();
    c.written(true); // inputs arrived during the write: they are drained
    assertEquals(GroupCommit.Phase.DRAINING, c.phase());
    assertFalse(c.add(step(1), 3));
    assertFalse(c.add(step(2), 3));
    assertTrue(c.add(step(3), 3), "the third fills the row");
    assertFalse(c.settled());
    GroupCommit.Batch b = c.takeBatch();
    assertEquals(3, b.steps().size());
    assertEquals(List.of("in1", "in2", "in3"),
        assertInstanceOf(StepsTaken.class, b.event()).steps().stream().map(StepTaken::input).toList());
    c.written(false);
    assertFalse(c.flush(), "nothing left for the Flush that the drain sent");
    assertTrue(c.settled());
  }

  @Test
  void onlyTheLifecyclesTransitionsAreAllowed() {
    GroupCommit c = new GroupCommit();
    assertThrows(IllegalStateException.class, c::takeBatch, "no write while recovering");
    c.recovered();
    assertThrows(IllegalStateException.class, () -> c.written(false), "no write completes that was not started");
    assertThrows(IllegalStateException.class, c::recovered, "recovery happens once");
    c.add(step(1), 10);
    c.takeBatch();
    assertThrows(IllegalStateException.class, c::takeBatch, "one write at a time");
    c.written(true);
    assertTrue(c.flush() == false && c.phase() == GroupCommit.Phase.HANDLING);
  }

  @Test
  void answersWaitForTheWriteOfTheStepsBeforeThem() {
    GroupCommit c = handling();
    List<String> out = new ArrayList<>();
    c.whenWritten(() -> out.add("now"));
    assertEquals(List.of("now"), out, "nothing unwritten: at once");
    c.add(step(1), 100);
    c.whenWritten(() -> out.add("after 1"));
    c.whenWritten(() -> out.add("after 1, second"));
    assertEquals(List.of("now"), out);
    c.takeBatch();
    c.runAfterWrite();
    assertEquals(List.of("now", "after 1", "after 1, second"), out);
  }
}
