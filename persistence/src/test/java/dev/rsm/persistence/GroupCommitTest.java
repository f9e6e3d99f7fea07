package dev.rsm.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.Address;
import dev.rsm.persistence.internal.BatchingJournalDao;
import dev.rsm.persistence.machines.Counter;
import dev.rsm.persistence.testing.TestNode;
import dev.rsm.persistence.testing.TestStores;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.persistence.jdbc.db.SlickDatabase;
import org.apache.pekko.persistence.jdbc.db.SlickExtension;
import org.apache.pekko.persistence.jdbc.db.SlickExtensionImpl;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.jdbc.PgConnection;

/**
 * Group commit: inputs that queue up while a machine's journal write is in flight are written
 * together as one row, yet each is still one step: handled once, in order, replied to with its
 * own result, and replayed one by one on recovery. Across machines, the journal merges the rows
 * that queue up from many of them into database batches (on PostgreSQL, each one multi-row INSERT),
 * and every row lands.
 */
class GroupCommitTest {

  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2, TestStores.POSTGRES})
  void inputsQueuedDuringAWriteShareARowAndStayOneStepEach(String store) {
    Config db = TestStores.fresh(store);
    Config noSnapshots = ConfigFactory.parseString("rsm.persistence.snapshot-every = 0");
    MachineRegistry types = MachineRegistry.of(Counter.TYPE);
    Address hot = Counter.TYPE.address("hot");
    int n = 400;
    List<IngressResult> replies = new ArrayList<>();
    try (TestNode node = new TestNode("group", db, types, noSnapshots, FaultInjector.NONE)) {
      node.ask(hot, "k-0", new Counter.Add(1)); // the machine is up before the burst
      List<CompletableFuture<IngressResult>> burst = new ArrayList<>();
      for (int i = 1; i <= n; i++)
        burst.add(node.machines().ask(hot, "k-" + i, new Counter.Add(1), Duration.ofSeconds(20)).toCompletableFuture());
      for (CompletableFuture<IngressResult> f : burst) replies.add(f.join());
      MachineView v = node.state(hot);
      assertEquals(new Counter.State(n + 1, n + 1), v.state());
      assertEquals(n + 1, v.seqNr());
    }
    // Each input saw the state after all the inputs before it, and no two saw the same state.
    Set<Long> totals = new TreeSet<>();
    for (IngressResult r : replies) {
      IngressResult.Replied replied = assertInstanceOf(IngressResult.Replied.class, r);
      assertFalse(replied.duplicate());
      totals.add(((Counter.Total) replied.reply()).total());
    }
    assertEquals(n, totals.size(), "every reply is its own step's");
    assertEquals(2L, totals.iterator().next());

    long rows = RecoveryTest.rows(db, "event_journal");
    System.out.printf("[group commit, %s] %d steps in %d journal rows%n", store, n + 1, rows);
    assertTrue(rows < n + 1, "the burst was written in fewer rows than steps (" + rows + " rows)");

    // Recovery replays the rows step by step: same state, same step count, and the keys of steps
    // written in a group are remembered with their own replies.
    Config eventsOnly = ConfigFactory.parseString("rsm.persistence.recover-from-snapshots = off").withFallback(noSnapshots);
    try (TestNode node = new TestNode("group-again", db, types, eventsOnly, FaultInjector.NONE)) {
      MachineView v = node.state(hot);
      assertEquals(new Counter.State(n + 1, n + 1), v.state());
      assertEquals(n + 1, v.seqNr());
      for (int i : new int[] {1, n / 2, n}) {
        IngressResult.Replied again = assertInstanceOf(IngressResult.Replied.class,
            node.ask(hot, "k-" + i, new Counter.Add(1)));
        assertTrue(again.duplicate());
        assertEquals(((IngressResult.Replied) replies.get(i - 1)).reply(), again.reply());
      }
      assertEquals(new Counter.State(n + 1, n + 1), node.state(hot).state());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2, TestStores.POSTGRES})
  void writesOfManyMachinesMergedIntoDatabaseBatchesLandWhole(String store) {
    // The journal merges writes that queue up from many machines into one database batch
    // (BatchingJournalDao): every machine's rows land, numbered without gaps, and replay.
    Config db = TestStores.fresh(store);
    Config noSnapshots = ConfigFactory.parseString("rsm.persistence.snapshot-every = 0");
    MachineRegistry types = MachineRegistry.of(Counter.TYPE);
    int machines = 60, each = 8;
    try (TestNode node = new TestNode("batches", db, types, noSnapshots, FaultInjector.NONE)) {
      assertEquals(BatchingJournalDao.class.getName(), node.system().settings().config().getString("jdbc-journal.dao"));
      if (store.equals(TestStores.POSTGRES)) assertTrue(journalRewritesBatchedInserts(node), "a batch is one multi-row INSERT");
      List<CompletableFuture<IngressResult>> all = new ArrayList<>();
      for (int k = 0; k < each; k++)
        for (int m = 0; m < machines; m++)
          all.add(node.machines().ask(Counter.TYPE.address("m-" + m), "k-" + k, new Counter.Add(m + 1), Duration.ofSeconds(30))
              .toCompletableFuture());
      for (CompletableFuture<IngressResult> f : all) assertInstanceOf(IngressResult.Replied.class, f.join());
    }
    Map<String, List<Long>> rows = new TreeMap<>();
    TestStores.select(db,
        "SELECT \"persistence_id\", \"sequence_number\" FROM PUBLIC.\"event_journal\" ORDER BY 1, 2",
        "SELECT persistence_id, sequence_number FROM event_journal ORDER BY 1, 2",
        rs -> rows.computeIfAbsent(rs.getString(1), p -> new ArrayList<>()).add(rs.getLong(2)));
    assertEquals(machines, rows.size(), "every machine wrote: " + rows.keySet());
    rows.forEach((pid, seqs) -> {
      for (int i = 0; i < seqs.size(); i++) assertEquals(i + 1L, seqs.get(i), pid + " rows " + seqs);
    });
    try (TestNode node = new TestNode("batches-again", db, types, noSnapshots, FaultInjector.NONE)) {
      for (int m = 0; m < machines; m++) {
        MachineView v = node.state(Counter.TYPE.address("m-" + m));
        assertEquals(new Counter.State((long) each * (m + 1), each), v.state(), "m-" + m);
        assertEquals(each, v.seqNr());
      }
    }
  }

  /** Whether the journal's PostgreSQL connections send a JDBC batch of inserts as one statement. */
  private static boolean journalRewritesBatchedInserts(TestNode node) {
    SlickDatabase db = ((SlickExtensionImpl) SlickExtension.get(node.system())).database(node.system().settings().config().getConfig("jdbc-journal"));
    try (Connection c = db.database().source().createConnection()) {
      return c.unwrap(PgConnection.class).getQueryExecutor().isReWriteBatchedInsertsEnabled();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
