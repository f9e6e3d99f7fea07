package dev.rsm.persistence.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rsm.actors.Address;
import dev.rsm.actors.Step;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.internal.StepTaken.Sent;
import dev.rsm.persistence.internal.StepTaken.TimerSet;
import dev.rsm.persistence.machines.Counter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A step is recorded as the journal keeps it: sends numbered per channel after the channel's last
 * number, in order within the step; timer changes stamped with consecutive generations and, when
 * set, a deadline from the recorded time. Replay and the live path record through the same code.
 */
class StepRecorderTest {
  static final Address A = Counter.TYPE.address("a"), B = Counter.TYPE.address("b"), C = Counter.TYPE.address("c");
  static final MachineRegistry TYPES = MachineRegistry.of(Counter.TYPE);

  @Test
  void sendsAreNumberedPerChannelAfterItsLastNumber() {
    RuntimeState s = new RuntimeState(new Counter.State(0, 0));
    s.channel(B).append(new Sent(B, 1, new Counter.Add(0)));
    s.channel(B).append(new Sent(B, 2, new Counter.Add(0)));
    Step<Object> step = Step.stay().send(B, new Counter.Add(1)).send(C, new Counter.Add(2)).send(B, new Counter.Add(3));
    StepTaken e = StepRecorder.record(Counter.TYPE, TYPES::get, s, A, new Origin.External("k"), new Counter.Add(0), 1000, 7, step);
    assertEquals(List.of(new Sent(B, 3, new Counter.Add(1)), new Sent(C, 1, new Counter.Add(2)), new Sent(B, 4, new Counter.Add(3))),
        e.sends());
    assertEquals(e.sends(), StepRecorder.sends(s, step, A, new Origin.External("k"), new Counter.Add(0)), "replay computes the same numbers");
    assertEquals(1000, e.time());
    assertEquals(7, e.seed());
  }

  @Test
  void timerChangesGetConsecutiveGenerationsAndDeadlinesFromTheRecordedTime() {
    RuntimeState s = new RuntimeState(new Counter.State(0, 0));
    s.timerGeneration = 41;
    Step<Object> step = Step.stay().startTimer("t", Duration.ofSeconds(2), new Counter.Add(1)).cancelTimer("u");
    StepTaken e = StepRecorder.record(Counter.TYPE, TYPES::get, s, A, new Origin.External(null), new Counter.Add(0), 5000, 0, step);
    assertEquals(List.of(new TimerSet("t", 42, 7000, new Counter.Add(1)), new TimerSet("u", 43, 0, null)), e.timers());
    assertEquals(e.timers(), StepRecorder.timers(s, step, 5000, e.sends(), new Origin.External(null), new Counter.Add(0)));
  }

  @Test
  void aSendOrTimerInputTheTargetDoesNotTakeIsRefusedWithWhatAndWhere() {
    RuntimeState s = new RuntimeState(new Counter.State(0, 0));
    IllegalArgumentException send = assertThrows(IllegalArgumentException.class, () -> StepRecorder.record(
        Counter.TYPE, TYPES::get, s, A, new Origin.External(null), new Counter.Add(0), 0, 0, Step.stay().send(B, "text")));
    assertTrue(send.getMessage().contains("sent to counter/b is not an input of machine type counter"), send.getMessage());
    IllegalArgumentException timer = assertThrows(IllegalArgumentException.class, () -> StepRecorder.check(
        Counter.TYPE, null, Step.stay().startTimer("t", Duration.ofSeconds(1), 42)));
    assertTrue(timer.getMessage().contains("timer t input"), timer.getMessage());
  }
}
