package dev.rsm.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.Address;
import dev.rsm.persistence.internal.ReplicaFollower;
import dev.rsm.persistence.machines.Counter;
import dev.rsm.persistence.machines.Flaky;
import dev.rsm.persistence.testing.Await;
import dev.rsm.persistence.testing.LogLines;
import dev.rsm.persistence.testing.TestNode;
import dev.rsm.persistence.testing.TestStores;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The replica monitor on both stores: a healthy journal checks clean, step by step and snapshot
 * by snapshot; a handler that turned non-deterministic is reported at its first diverging step;
 * rows that become visible out of ordering order are still checked.
 */
class ReplicaMonitorTest {
  private static final MachineRegistry TYPES = MachineRegistry.of(Counter.TYPE, Flaky.TYPE);

  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2, TestStores.POSTGRES})
  void aHealthyJournalIsCheckedStepByStepWithoutDivergence(String store) throws Exception {
    Config db = TestStores.fresh(store);
    Config extra = ConfigFactory.parseString("rsm.persistence.snapshot-every = 3\n"
        + "rsm.replica-monitor { snapshot-check-delay = 0s, batch-size = 4 }");
    List<Address> counters = List.of(Counter.TYPE.address("a"), Counter.TYPE.address("b"), Counter.TYPE.address("c"));
    Address d = Counter.TYPE.address("d");
    try (TestNode node = new TestNode("healthy", db, TYPES, extra, FaultInjector.NONE)) {
      for (Address a : counters) for (int i = 1; i <= 4; i++) node.askUntilAnswered(a, "before-" + i, new Counter.Add(i));
      ReplicaFollower follower = ReplicaFollower.create(node.system(), TYPES,
          ReplicaMonitorSettings.create(node.system().settings().config()));
      follower.poll(); // starts at the journal's end: the rows above are not read ...
      assertEquals(0, follower.status().rowsRead());
      // ... until their machines write again: then each is rebuilt from its first row. Concurrent
      // asks make group commits (several steps in one row).
      List<java.util.concurrent.CompletableFuture<IngressResult>> asks = new ArrayList<>();
      for (int i = 1; i <= 6; i++)
        for (Address a : counters)
          asks.add(node.machines().ask(a, "after-" + i, new Counter.AddAndTell(i, d.id()), Duration.ofSeconds(30))
              .toCompletableFuture());
      asks.forEach(f -> assertTrue(f.join() instanceof IngressResult.Replied));
      Await.until("d told 18 times", Duration.ofSeconds(20), () -> node.state(d),
          v -> ((Counter.State) v.state()).steps() == 18);
      long steps = counters.stream().mapToLong(a -> node.state(a).seqNr()).sum() + node.state(d).seqNr();
      ReplicaMonitorStatus s = Await.until("every step checked", Duration.ofSeconds(20), () -> {
        pollQuietly(follower);
        return follower.status();
      }, st -> st.stepsChecked() == steps && st.rowsBehind() == 0);
      follower.poll(); // the snapshots of the last rows read are due now
      s = follower.status();
      System.out.println("[replica-monitor] " + store + ": " + s.summary());
      assertEquals(0, s.divergences(), s.recent().toString());
      assertEquals(3, s.rebuilds(), "a, b and c first seen mid-stream, rebuilt from row 1; d new");
      assertEquals(4, s.machinesHeld());
      assertTrue(s.snapshotsChecked() > 0, "snapshots compared: " + s.summary());
      follower.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2, TestStores.POSTGRES})
  void aHandlerTurnedNonDeterministicIsReportedAtItsFirstDivergingStep(String store) throws Exception {
    Config db = TestStores.fresh(store);
    Config fast = ConfigFactory.parseString("rsm.replica-monitor.poll-interval = 50ms");
    Address x = Flaky.TYPE.address("x");
    Address y = Flaky.TYPE.address("y");
    try (TestNode node = new TestNode("flaky", db, TYPES, fast, FaultInjector.NONE); LogLines logs = new LogLines()) {
      for (int i = 1; i <= 3; i++) node.askUntilAnswered(x, "x" + i, new Flaky.Add(1));
      Flaky.broken = true;
      try {
        IngressResult r = node.askUntilAnswered(x, "x4", new Flaky.Add(1)); // journaled with reply 5 (total 4, plus one)
        assertEquals(new Flaky.Total(5), ((IngressResult.Replied) r).reply());
      } finally {
        Flaky.broken = false;
      }
      // Started after step 4 (from the journal's end): x's next write makes it rebuild x from row 1.
      try (ReplicaMonitor monitor = ReplicaMonitor.start(node.system(), TYPES)) {
        Await.until("the monitor is polling", Duration.ofSeconds(10), () -> logs.at(Level.INFO,
            "replica monitor started").size(), n -> n == 1);
        node.askUntilAnswered(x, "x5", new Flaky.Add(1));
        for (int i = 1; i <= 5; i++) node.askUntilAnswered(y, "y" + i, new Flaky.Add(i));
        ReplicaMonitorStatus s = Await.until("x's divergence reported", Duration.ofSeconds(20), monitor::status,
            st -> st.divergences() == 1 && st.rowsBehind() == 0 && st.stepsChecked() >= 4 + 5);
        ReplicaMonitorStatus.Divergence div = s.recent().get(0);
        assertEquals(x, div.machine());
        assertEquals(4, div.seqNr(), "the first diverging step");
        assertEquals("journaled reply Total[total=5], replay produced reply Total[total=4]", div.difference());
        assertEquals(List.of("replica monitor: machine flaky/x diverged at step 4 (journal row 4): journaled reply "
            + "Total[total=5], replay produced reply Total[total=4]"), logs.at(Level.ERROR, "replica monitor"));
        assertEquals(9, s.stepsChecked(), "x's steps 1-4 (the 4th diverging), y's 5");
        var jmx = new javax.management.ObjectName("dev.rsm:type=ReplicaMonitor,name="
            + javax.management.ObjectName.quote(node.system().name()));
        assertEquals(1L, java.lang.management.ManagementFactory.getPlatformMBeanServer().getAttribute(jmx, "Divergences"));
        node.askUntilAnswered(x, "x6", new Flaky.Add(1)); // a diverged machine is not followed further: one report
        Await.until("x's next row passed", Duration.ofSeconds(10), monitor::status, st -> st.unchecked() >= 1);
        assertEquals(1, monitor.status().divergences());
      }
    }
  }

  /**
   * Rows inserted by a transaction that commits after a later one are invisible when the later
   * rows are read: the monitor must come back for them. The journal of a few machines is written,
   * read back, deleted, and inserted again: one machine's rows in a transaction held open while
   * the others' commit, then a rolled-back insert (an ordering that never appears) before the last
   * row.
   */
  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2, TestStores.POSTGRES})
  void rowsThatBecomeVisibleOutOfOrderAreCheckedAndAPermanentHoleIsPassed(String store) throws Exception {
    Config db = TestStores.fresh(store);
    Config noSnapshots = ConfigFactory.parseString("rsm.persistence.snapshot-every = 0");
    List<Address> counters = List.of(Counter.TYPE.address("a"), Counter.TYPE.address("b"), Counter.TYPE.address("c"));
    try (TestNode node = new TestNode("writer", db, TYPES, noSnapshots, FaultInjector.NONE)) {
      for (int i = 1; i <= 3; i++) for (Address a : counters) node.askUntilAnswered(a, "k" + i, new Counter.Add(i));
    }
    Config config = RsmConfig.load(ConfigFactory.parseString("""
        rsm.replica-monitor.gap-timeout = 500ms
        """).withFallback(noSnapshots).withFallback(db));
    Config jdbc = config.getConfig("rsm.storage.jdbc");
    ActorTestKit kit = ActorTestKit.create("monitor", config);
    try (Connection held = DriverManager.getConnection(jdbc.getString("url"), jdbc.getString("user"), jdbc.getString("password"));
        Connection other = DriverManager.getConnection(jdbc.getString("url"), jdbc.getString("user"), jdbc.getString("password"))) {
      List<Object[]> rows = new ArrayList<>();
      try (ResultSet rs = other.createStatement().executeQuery("SELECT \"persistence_id\", \"sequence_number\", "
          + "\"writer\", \"write_timestamp\", \"event_ser_id\", \"event_ser_manifest\", \"event_payload\" "
          + "FROM \"event_journal\" ORDER BY \"ordering\"")) {
        while (rs.next())
          rows.add(new Object[] {rs.getString(1), rs.getLong(2), rs.getString(3), rs.getLong(4), rs.getInt(5),
              rs.getString(6), rs.getBytes(7)});
      }
      assertEquals(9, rows.size());
      other.createStatement().executeUpdate("DELETE FROM \"event_journal\"");
      insert(other, new Object[] {"marker", 1L, "w", 0L, 1, "x", new byte[] {1}}); // ordering 10: the end
      ReplicaFollower follower = ReplicaFollower.create(kit.system(), TYPES, ReplicaMonitorSettings.create(config));
      follower.poll(); // starts after the marker
      held.setAutoCommit(false);
      Object[] last = rows.get(rows.size() - 1); // c's row 3
      for (Object[] r : rows) if (r[0].equals("rsm|counter|a")) insert(held, r); // a's, uncommitted: orderings 11-13
      for (Object[] r : rows) if (!r[0].equals("rsm|counter|a") && r != last) insert(other, r); // 14-18
      follower.poll();
      ReplicaMonitorStatus s = follower.status();
      assertEquals(5, s.stepsChecked(), "b's and c's rows past the hole: " + s.summary());
      assertEquals(8, s.rowsBehind(), "the cursor waits before a's rows: " + s.summary());
      held.commit();
      follower.poll();
      s = follower.status();
      assertEquals(8, s.stepsChecked(), "a's rows, committed late, checked: " + s.summary());
      assertEquals(0, s.rowsBehind(), s.summary());

      held.setAutoCommit(false); // an insert rolled back: its ordering never appears
      insert(held, new Object[] {"rsm|counter|zz", 1L, "w", 0L, 1, "x", new byte[] {1}});
      held.rollback();
      insert(other, last);
      follower.poll();
      s = follower.status();
      assertEquals(9, s.stepsChecked(), "c's last row, past the hole, checked: " + s.summary());
      assertEquals(2, s.rowsBehind(), "the cursor waits at the hole: " + s.summary());
      s = Await.until("after gap-timeout the hole is passed", Duration.ofSeconds(10), () -> {
        try {
          follower.poll();
        } catch (java.sql.SQLException e) {
          throw new IllegalStateException(e);
        }
        return follower.status();
      }, st -> st.rowsBehind() == 0);
      assertEquals(9, s.stepsChecked(), "and nothing is checked twice: " + s.summary());
      assertEquals(0, s.divergences(), s.summary());
      follower.close();
    } finally {
      kit.shutdownTestKit();
    }
  }

  private static void insert(Connection c, Object[] r) throws Exception {
    try (PreparedStatement st = c.prepareStatement("INSERT INTO \"event_journal\" (\"persistence_id\", "
        + "\"sequence_number\", \"writer\", \"write_timestamp\", \"adapter_manifest\", \"event_ser_id\", "
        + "\"event_ser_manifest\", \"event_payload\") VALUES (?, ?, ?, ?, '', ?, ?, ?)")) {
      for (int i = 0; i < r.length; i++) st.setObject(i + 1, r[i]);
      st.executeUpdate();
    }
  }

  private static void pollQuietly(ReplicaFollower f) {
    try {
      f.poll();
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
