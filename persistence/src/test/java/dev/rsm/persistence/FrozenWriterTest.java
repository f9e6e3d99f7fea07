package dev.rsm.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import dev.rsm.actors.Address;
import dev.rsm.persistence.machines.Counter;
import dev.rsm.persistence.testing.TestNode;
import dev.rsm.persistence.testing.TestStores;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node frozen in the middle of a journal transaction (SIGSTOP, a long GC pause, a suspended VM)
 * leaves that transaction open on PostgreSQL, its row for a machine's next sequence number
 * inserted and uncommitted. The node that took the machine over writes that same row next, and
 * PostgreSQL makes its insert wait for the frozen transaction: without a bound, for as long as
 * the node stays frozen, holding a connection of the pool each time the machine retries, until
 * no machine on the node can read or write. The frozen session here is a plain connection with
 * the node's own connection settings, stopped after its insert.
 */
class FrozenWriterTest {
  static final Address A = Counter.TYPE.address("a");
  static final MachineRegistry TYPES = MachineRegistry.of(Counter.TYPE);

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void aTransactionLeftOpenByAFrozenNodeEndsAndTheMachineMovesOn() throws SQLException {
    Config db = TestStores.fresh(TestStores.POSTGRES);
    try (TestNode first = new TestNode("first", db, TYPES)) {
      first.ask(A, "k1", new Counter.Add(1));
      first.ask(A, "k2", new Counter.Add(1));
    }
    Config jdbc = RsmConfig.load(db).getConfig("rsm.storage.jdbc");
    Properties props = new Properties();
    jdbc.getConfig("properties").entrySet().forEach(e -> props.setProperty(e.getKey(), String.valueOf(e.getValue().unwrapped())));
    props.setProperty("user", jdbc.getString("user"));
    props.setProperty("password", jdbc.getString("password"));
    try (Connection frozen = DriverManager.getConnection(jdbc.getString("url"), props)) {
      frozen.setAutoCommit(false);
      try (Statement st = frozen.createStatement()) {
        // The frozen node's write of a's third row: inserted, never committed.
        assertEquals(1, st.executeUpdate("INSERT INTO event_journal (deleted, persistence_id, sequence_number, writer, "
            + "write_timestamp, adapter_manifest, event_payload, event_ser_id, event_ser_manifest) "
            + "SELECT deleted, persistence_id, 3, 'frozen', write_timestamp, adapter_manifest, event_payload, event_ser_id, "
            + "event_ser_manifest FROM event_journal WHERE persistence_id = 'rsm|counter|a' AND sequence_number = 2"));
      }
      long start = System.nanoTime();
      try (TestNode second = new TestNode("second", db, TYPES)) {
        IngressResult third = second.askUntilAnswered(A, "k3", new Counter.Add(1));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(new IngressResult.Replied(new Counter.Total(3), false, 3), third,
            "the machine's next step is written once the frozen transaction has ended");
        System.out.printf("[frozen writer] the frozen node's transaction was ended and a's step written %.1f s later%n", seconds);
        // Meanwhile and after, the node serves its other machines.
        for (int i = 0; i < 10; i++)
          assertEquals(new IngressResult.Replied(new Counter.Total(1), false, 1),
              second.ask(Counter.TYPE.address("b" + i), "b", new Counter.Add(1)));
      }
      // The server ended the frozen session: its transaction can no longer commit.
      assertThrows(SQLException.class, frozen::commit);
    }
    int[] rows = {0};
    TestStores.select(db, "", "SELECT count(*) FROM event_journal WHERE persistence_id = 'rsm|counter|a'",
        rs -> rows[0] = rs.getInt(1));
    assertEquals(3, rows[0], "three steps, none from the frozen writer");
    try (TestNode fresh = new TestNode("fresh", db, TYPES)) {
      assertEquals(new Counter.State(3, 3), fresh.state(A).state());
    }
  }
}
