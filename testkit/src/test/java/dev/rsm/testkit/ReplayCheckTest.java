package dev.rsm.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import dev.rsm.actors.Address;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.machines.Alarm;
import dev.rsm.persistence.machines.Counter;
import dev.rsm.persistence.machines.v2.CounterV2;
import dev.rsm.persistence.testing.Await;
import dev.rsm.persistence.testing.TestNode;
import dev.rsm.persistence.testing.TestStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A journal recorded on H2 or PostgreSQL replays identically with the handlers that wrote it, from
 * the database and from an exported file; a changed handler is reported at its first divergence;
 * an event the current classes cannot read is reported too.
 */
class ReplayCheckTest {
  static final Address A = Counter.TYPE.address("a");
  static final Address B = Counter.TYPE.address("b");
  static final Address ALARM = Alarm.TYPE.address("x");
  static final MachineRegistry V1 = MachineRegistry.of(Counter.TYPE, Alarm.TYPE);
  static final MachineRegistry V2 = MachineRegistry.of(CounterV2.TYPE, Alarm.TYPE);
  static final String CHANGED_SEND = "send #1: journaled Sent[to=counter/b, seq=1, input=Add[n=3]], "
      + "replay produced Sent[to=counter/b, seq=1, input=Add[n=6]]";

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2, TestStores.POSTGRES})
  void aRecordedJournalReplaysWithItsHandlersAndAChangedHandlerIsReportedAtItsFirstDivergence(String store) {
    Config db = TestStores.fresh(store);
    record(db);
    JournalSource journal = JournalSource.jdbc(db);

    ReplayReport same = ReplayCheck.run(journal, V1).assertNoDivergence();
    assertEquals(List.of(
        new ReplayReport.Machine(ALARM, 4, null), // arm, cancel, 2 rings
        new ReplayReport.Machine(A, 3, null),
        new ReplayReport.Machine(B, 1, null)), same.machines());
    assertEquals(List.of(), same.skipped());

    ReplayReport changed = ReplayCheck.run(journal, V2);
    assertFalse(changed.ok());
    assertEquals(new ReplayReport.Divergence(A, 3, CHANGED_SEND), changed.firstDivergence().orElseThrow());
    assertEquals(new ReplayReport.Machine(A, 2, new ReplayReport.Divergence(A, 3, CHANGED_SEND)), changed.machines().get(1));
    AssertionError e = assertThrows(AssertionError.class, changed::assertNoDivergence);
    assertTrue(e.getMessage().contains("machine counter/a diverges at sequence number 3: " + CHANGED_SEND), e.getMessage());

    ReplayReport countersOnly = ReplayCheck.run(journal, MachineRegistry.of(Counter.TYPE));
    assertEquals(List.of("rsm|alarm|x (machine type 'alarm' is not in the registry)"), countersOnly.skipped());

    // The same journal through a file, as from production to a developer's machine.
    Path file = dir.resolve("journal.jsonl");
    assertEquals(8, JournalFile.export(journal, file));
    assertTrue(Files.isRegularFile(file));
    JournalSource fromFile = JournalSource.file(file);
    assertEquals(same, ReplayCheck.run(fromFile, V1));
    assertEquals(changed, ReplayCheck.run(fromFile, V2));

    // An event the current classes cannot read (here: damaged bytes) is a divergence too.
    ReplayReport unreadable = ReplayCheck.run(damaged(fromFile, A.persistenceId(), 2), V1);
    ReplayReport.Divergence d = unreadable.firstDivergence().orElseThrow();
    assertEquals(A, d.machine());
    assertEquals(2, d.seqNr());
    assertTrue(d.difference().startsWith("the journaled event cannot be read with the current classes"), d.difference());
  }

  /** counter a: 2 adds and a send to b; alarm x: a cancel and a timer that rings twice. */
  private static void record(Config db) {
    try (TestNode node = new TestNode("record", db, V1)) {
      node.ask(A, "1", new Counter.Add(1));
      node.ask(A, "2", new Counter.Add(2));
      node.ask(A, "3", new Counter.AddAndTell(3, "b"));
      node.ask(ALARM, "arm", new Alarm.Arm("tick", 50, "tick", 2, null));
      node.ask(ALARM, "cancel", new Alarm.Cancel("other"));
      Await.until("b told and the alarm rang twice", Duration.ofSeconds(10),
          () -> List.of(node.state(B).state(), node.state(ALARM).state(), node.state(A).unackedOutputs()),
          l -> ((Counter.State) l.get(0)).total() == 3 && ((Alarm.State) l.get(1)).rang().size() == 2
              && l.get(2).equals(0));
    }
  }

  private static JournalSource damaged(JournalSource source, String persistenceId, long seqNr) {
    return new JournalSource() {
      @Override
      public List<String> persistenceIds() {
        return source.persistenceIds();
      }

      @Override
      public List<JournalRow> rows(String pid) {
        List<JournalRow> rows = new ArrayList<>(source.rows(pid));
        if (pid.equals(persistenceId))
          rows.replaceAll(r -> r.sequenceNumber() != seqNr ? r
              : new JournalRow(r.persistenceId(), r.sequenceNumber(), r.serializerId(), r.manifest(), new byte[] {1, 2, 3}));
        return rows;
      }
    };
  }
}
