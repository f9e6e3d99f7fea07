package dev.rsm.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import com.typesafe.config.Config;
import dev.rsm.actors.Address;
import dev.rsm.persistence.machines.Counter;
import dev.rsm.persistence.testing.Await;
import dev.rsm.persistence.testing.LogLines;
import dev.rsm.persistence.testing.TestNode;
import dev.rsm.persistence.testing.TestStores;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A store that loses a committed step after its outputs left (an OS crash on a store that does
 * not sync, a restored backup) makes the sender number new messages with sequence numbers its
 * receivers have handled already. Such a message is not a duplicate, and must not be dropped as
 * one: the receiver compares it with the message it handled under that number and refuses it,
 * the sender notices acknowledgements beyond anything it numbered, and both say so at ERROR
 * naming the channel and the sequence numbers. The message stays with its sender.
 */
class LostStepTest {
  static final Address S = Counter.TYPE.address("s");
  static final Address R = Counter.TYPE.address("r");

  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2, TestStores.POSTGRES})
  void aMessageReusingALostSequenceNumberIsReportedNotDropped(String store) {
    Config db = TestStores.fresh(store);
    MachineRegistry types = MachineRegistry.of(Counter.TYPE);
    try (TestNode node = new TestNode("before", db, types)) {
      node.ask(S, "one", new Counter.AddAndTell(1, "r"));
      node.ask(S, "two", new Counter.AddAndTell(2, "r"));
      Await.until("r handled both, s has nothing unacknowledged", Duration.ofSeconds(15),
          () -> List.of(node.state(R).state(), node.state(S).unackedOutputs()),
          v -> v.equals(List.of(new Counter.State(3, 2), 0)));
    }
    // The store loses s's second step (its own row): s will number its next message #2 again.
    assertEquals(1, TestStores.update(db,
        "DELETE FROM \"event_journal\" WHERE \"persistence_id\" = 'rsm|counter|s' AND \"sequence_number\" = 2",
        "DELETE FROM event_journal WHERE persistence_id = 'rsm|counter|s' AND sequence_number = 2"));

    try (LogLines logs = new LogLines(); TestNode node = new TestNode("after", db, types)) {
      // s recovers (its first input here adds nothing) and resends #1, which the lost step's
      // acknowledgement never reached the journal for; r, which handled #1 and #2, answers that
      // its mark is #2.
      node.ask(S, "wake", new Counter.Add(0));
      Await.until("the sender reports acknowledgements beyond its journal", Duration.ofSeconds(15),
          () -> logs.at(Level.ERROR, "channel counter/s -> counter/r", "handled up to #2", "only up to #1"),
          l -> !l.isEmpty());
      node.ask(S, "five", new Counter.AddAndTell(5, "r")); // numbered #2: not the #2 r handled
      Await.until("the receiver refuses the different #2", Duration.ofSeconds(15),
          () -> logs.at(Level.ERROR, "channel counter/s -> counter/r", "message #2 is Add[n=5]", "handled Add[n=2]"),
          l -> !l.isEmpty());
      Await.until("the new #2 stays unacknowledged with its sender", Duration.ofSeconds(15),
          () -> node.state(S).unackedOutputs(), n -> n == 1);
      int refusals = logs.at(Level.ERROR, "message #2 is Add[n=5]").size();
      Await.until("it is offered again, and refused again", Duration.ofSeconds(15),
          () -> logs.at(Level.ERROR, "message #2 is Add[n=5]").size(), n -> n > refusals);
      assertEquals(1, node.state(S).unackedOutputs());
      assertEquals(new Counter.State(3, 2), node.state(R).state(), "r never took the different #2 as a duplicate");
    }
  }
}
