package dev.rsm.persistence.internal;

import dev.rsm.actors.Address;
import dev.rsm.actors.MachineType;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.ReplicaMonitorSettings;
import dev.rsm.persistence.ReplicaMonitorStatus;
import dev.rsm.persistence.ReplicaMonitorStatus.Divergence;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import org.apache.pekko.serialization.Serialization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * INTERNAL API. The replica monitor's work, one {@link #poll} at a time, on the caller's thread:
 * reads the journal's new rows in {@code ordering} order, re-runs every step with the deployed
 * handlers on a copy of its machine's state ({@link Replay.Follower}), and reports the first step
 * of a machine whose sends, timers or reply differ from the journaled ones, or whose handler now
 * throws, or whose row the deployed classes cannot read. Snapshots the machines write are compared
 * with the copy too. Not thread-safe: one thread polls; {@link #status} may be read from any.
 *
 * <p><b>Rows become visible out of order.</b> {@code ordering} is taken from a sequence when a row
 * is inserted, but rows are visible when their transaction commits, and concurrent transactions
 * (two nodes, or one node's {@code jdbc-journal.parallelism}) commit in either order. A reader that
 * only asks for {@code ordering > last seen} would skip a row whose transaction committed after a
 * row with a higher ordering was read. So two things: (1) the cursor moves only over contiguous
 * orderings; at a hole it stays, and the rows past the hole are still checked (re-reading them is
 * harmless: a row is checked once), until the hole fills
 * or has stayed open for {@code gap-timeout} (sequence values of rolled-back inserts, such as a
 * fenced stale writer's, never appear); (2) each machine's rows must come in sequence-number
 * order: a row beyond the next expected one makes the monitor fetch the missing ones by
 * persistence id first. So a row skipped by (1) is still checked when its machine writes again.
 *
 * <p><b>Machines first seen mid-stream</b> (the monitor started after them, or their state was
 * evicted from the {@code max-machines} cache) are rebuilt from their journal from row 1, not
 * from a snapshot: RSM keeps every event, and a rebuild from row 1 checks every step they ever
 * took, where starting from a snapshot would trust what the monitor exists to verify.
 */
public final class ReplicaFollower implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("dev.rsm.persistence.ReplicaMonitor");
  private static final int RECENT = 100;

  private final MachineRegistry registry;
  private final Serialization serialization;
  private final PayloadBytes codec;
  private final JournalReader journal;
  private final ReplicaMonitorSettings settings;
  private final LongSupplier clock;

  /** One machine followed: its replayed state and the next journal row it expects. */
  private static final class Followed {
    final Replay.Follower follower;
    long nextRow = 1;

    Followed(Replay.Follower follower) {
      this.follower = follower;
    }
  }

  /** A snapshot to compare once it has had time to be written. */
  private record SnapshotCheck(String persistenceId, long row, long steps, Object state, long due) {}

  private final LinkedHashMap<String, Followed> machines;
  // Machines not followed after their first divergence (so one bug is one report), bounded.
  private final Set<String> diverged = new HashSet<>();
  private final Set<String> unknownTypes = new HashSet<>();
  private final ArrayDeque<SnapshotCheck> snapshots = new ArrayDeque<>();
  // Orderings past the position already checked (read past a hole): not checked again.
  private final TreeSet<Long> seenAhead = new TreeSet<>();
  private long cursor;
  private boolean started;
  private long holeAt = -1;
  private long holeSince;

  // Written by the polling thread, read by status().
  private volatile long rowsRead, stepsChecked, divergences, rowsBehind, millisBehind, rebuilds,
      snapshotsChecked, unchecked;
  private volatile int held;
  private final ArrayDeque<Divergence> recent = new ArrayDeque<>();

  ReplicaFollower(MachineRegistry registry, Serialization serialization, PayloadBytes codec,
      JournalReader journal, ReplicaMonitorSettings settings, LongSupplier clock) {
    this.registry = registry;
    this.serialization = serialization;
    this.codec = codec;
    this.journal = journal;
    this.settings = settings;
    this.clock = clock;
    this.machines = new LinkedHashMap<>(16, 0.75f, true) { // least recently used first
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Followed> eldest) {
        return size() > settings.maxMachines();
      }
    };
  }

  /** A follower of the journal configured by {@code rsm.storage.jdbc} in {@code config}. */
  public static ReplicaFollower create(org.apache.pekko.actor.typed.ActorSystem<?> system, MachineRegistry registry,
      ReplicaMonitorSettings settings) {
    AllowedClasses.get(system).register(registry.types()); // rows name classes: only these are read
    JournalCodec journalCodec = RsmJournalSerializer.codec(system);
    PayloadBytes codec = journalCodec != null ? journalCodec.bytes() : PayloadBytes.standalone();
    return new ReplicaFollower(registry,
        org.apache.pekko.serialization.SerializationExtension.get(system.classicSystem()), codec,
        new JournalReader(system.settings().config().getConfig("rsm.storage.jdbc")), settings,
        System::currentTimeMillis);
  }

  /**
   * Takes the starting point ({@code start-from}) now, rather than at the first poll: every row
   * committed after this returns is checked. Returns the ordering it starts after.
   *
   * @throws SQLException when the journal cannot be read (then the first poll takes it)
   */
  public long start() throws SQLException {
    if (!started) {
      try {
        cursor = settings.fromBeginning() ? 0 : journal.maxOrdering();
      } catch (SQLException e) {
        journal.reset();
        throw e;
      }
      started = true;
    }
    return cursor;
  }

  /**
   * Reads and checks up to {@code batch-size} new rows. Returns how far the position moved (rows
   * passed in order, holes given up included), so that a caller polls again at once after a full
   * batch, and not while it waits at a hole.
   *
   * @throws SQLException when the journal cannot be read (the connection is reset; poll again later)
   */
  public int poll() throws SQLException {
    try {
      start();
      long from = cursor;
      List<JournalReader.Row> rows = journal.after(cursor, settings.batchSize());
      long now = clock.getAsLong();
      boolean inOrder = true;
      JournalReader.Row last = null;
      for (JournalReader.Row row : rows) {
        if (inOrder) {
          if (row.ordering() == cursor + 1 || holeExpired(now)) {
            cursor = row.ordering();
            last = row;
          } else inOrder = false;
        }
        if (seenAhead.add(row.ordering())) check(row); // else read before, past a hole
      }
      seenAhead.headSet(cursor, true).clear();
      checkSnapshots(clock.getAsLong());
      held = machines.size();
      rowsBehind = Math.max(0, journal.maxOrdering() - cursor);
      // The age of the first row past the cursor if this batch holds it (a hole's), else of the
      // last row the cursor passed: a lower bound, by the writer's clock.
      JournalReader.Row waiting = rows.stream().filter(r -> r.ordering() > cursor).findFirst().orElse(last);
      if (rowsBehind == 0) millisBehind = 0;
      else if (waiting != null && waiting.writeTimestamp() > 0)
        millisBehind = Math.max(0, now - waiting.writeTimestamp());
      return (int) Math.min(cursor - from, Integer.MAX_VALUE);
    } catch (SQLException | RuntimeException e) {
      journal.reset();
      throw e;
    }
  }

  /** Whether the hole after the cursor has been open for gap-timeout (and starts timing a new one). */
  private boolean holeExpired(long now) {
    if (holeAt != cursor) {
      holeAt = cursor;
      holeSince = now;
      return false;
    }
    if (now - holeSince < settings.gapTimeout().toMillis()) return false;
    LOG.debug("replica monitor: journal ordering {} stayed missing for {}; going on without it", cursor + 1,
        settings.gapTimeout());
    return true;
  }

  private void check(JournalReader.Row row) throws SQLException {
    String pid = row.persistenceId();
    Address address = address(pid);
    Optional<MachineType<?, ?>> type = address == null ? Optional.empty() : registry.find(address.type());
    if (type.isEmpty() || diverged.contains(pid)) {
      if (type.isEmpty() && address != null && unknownTypes.add(address.type()))
        LOG.warn("replica monitor: machine type '{}' is not in this registry; its rows are not checked",
            address.type());
      unchecked++;
      return;
    }
    Followed m = machines.get(pid);
    if (m == null) {
      m = new Followed(new Replay.Follower(type.get(), address.id(), codec));
      machines.put(pid, m);
      if (row.seqNr() > 1) rebuilds++;
    }
    if (row.seqNr() < m.nextRow) return; // checked already (re-read past a hole, or fetched before)
    if (row.seqNr() > m.nextRow) { // rows not seen yet: first seen mid-stream, or skipped at a hole
      for (JournalReader.Row missing : journal.rows(pid, m.nextRow, row.seqNr() - 1)) {
        if (missing.seqNr() != m.nextRow) break;
        if (!apply(m, missing)) return;
      }
      if (m.nextRow != row.seqNr()) {
        LOG.warn("replica monitor: machine {} journal has no row {} before row {}; following it from there anew",
            address, m.nextRow, row.seqNr());
        machines.remove(pid);
        unchecked++;
        return;
      }
    }
    apply(m, row);
  }

  /** Checks one row of a followed machine; false if it diverged (the machine is dropped). */
  private boolean apply(Followed m, JournalReader.Row row) {
    rowsRead++;
    List<StepTaken> steps;
    try {
      Object event = serialization.deserialize(row.payload(), row.serializerId(), row.manifest()).get();
      if (event instanceof StepTaken step) steps = List.of(step);
      else if (event instanceof StepsTaken batch) steps = batch.steps();
      else throw new IllegalStateException("not an RSM step: " + event.getClass().getName());
    } catch (Exception e) {
      diverge(m, row, m.follower.seqNr() + 1, "the journaled row cannot be read with the deployed classes: " + e);
      return false;
    }
    for (StepTaken step : steps) {
      String difference = m.follower.step(step);
      stepsChecked++;
      if (difference != null) {
        diverge(m, row, m.follower.seqNr() + 1, difference);
        return false;
      }
    }
    m.nextRow = row.seqNr() + 1;
    if (settings.snapshotEvery() > 0 && row.seqNr() % settings.snapshotEvery() == 0)
      snapshots.addLast(new SnapshotCheck(row.persistenceId(), row.seqNr(), m.follower.seqNr(), m.follower.state(),
          clock.getAsLong() + settings.snapshotCheckDelay().toMillis()));
    return true;
  }

  /** Compares the snapshots due; one the machine has not written (or deleted already) is skipped. */
  private void checkSnapshots(long now) throws SQLException {
    while (!snapshots.isEmpty() && snapshots.peekFirst().due() <= now) {
      SnapshotCheck c = snapshots.pollFirst();
      if (diverged.contains(c.persistenceId())) continue;
      JournalReader.Stored stored = journal.snapshot(c.persistenceId(), c.row());
      if (stored == null) continue;
      Address address = address(c.persistenceId());
      String difference;
      try {
        Object s = serialization.deserialize(stored.payload(), stored.serializerId(), stored.manifest()).get();
        difference = Replay.snapshotDifference((MachineSnapshot) s, c.steps(), c.state(), codec);
      } catch (Exception e) {
        difference = "the snapshot cannot be read with the deployed classes: " + e;
      }
      snapshotsChecked++;
      if (difference != null)
        report(new Divergence(address, c.steps(), c.row(), difference), c.persistenceId());
    }
  }

  private void diverge(Followed m, JournalReader.Row row, long seqNr, String difference) {
    machines.remove(row.persistenceId());
    report(new Divergence(m.follower.machine(), seqNr, row.seqNr(), difference), row.persistenceId());
  }

  private void report(Divergence d, String persistenceId) {
    machines.remove(persistenceId);
    if (diverged.size() >= settings.maxMachines()) diverged.clear(); // bounded; a rebuild reports again
    diverged.add(persistenceId);
    divergences++;
    synchronized (recent) {
      if (recent.size() == RECENT) recent.removeFirst();
      recent.addLast(d);
    }
    LOG.error("replica monitor: machine {} diverged at step {} (journal row {}): {}", d.machine(), d.seqNr(),
        d.row(), d.difference());
  }

  public ReplicaMonitorStatus status() {
    List<Divergence> latest;
    synchronized (recent) {
      latest = List.copyOf(recent);
    }
    return new ReplicaMonitorStatus(rowsRead, stepsChecked, divergences, rowsBehind, millisBehind,
        held, rebuilds, snapshotsChecked, unchecked, latest);
  }

  /** {@code rsm|<type>|<id>} to an address; null for any other persistence id. */
  static Address address(String persistenceId) {
    if (persistenceId == null || !persistenceId.startsWith("rsm|")) return null;
    int bar = persistenceId.indexOf('|', 4);
    if (bar < 0 || bar == 4 || bar == persistenceId.length() - 1) return null;
    return new Address(persistenceId.substring(4, bar), persistenceId.substring(bar + 1));
  }

  @Override
  public void close() {
    journal.close();
  }
}
