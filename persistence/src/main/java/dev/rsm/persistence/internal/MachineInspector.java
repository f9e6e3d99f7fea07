package dev.rsm.persistence.internal;

import dev.rsm.actors.Address;
import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.ReplayDivergenceException;
import dev.rsm.persistence.RuntimeSettings;
import dev.rsm.persistence.internal.MachineSnapshot.Armed;
import dev.rsm.persistence.internal.StepTaken.Sent;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;

/**
 * INTERNAL API. Reads machines from the journal for the admin API, without starting them: the
 * machines of a type, one machine's runtime state rebuilt as recovery rebuilds it (its latest
 * snapshot, then its rows re-run with the deployed handlers, {@link Replay#recompute}), and its
 * journal decoded step by step. Nothing here writes, and no actor, shard or entity is involved.
 *
 * <p>What a rebuild cannot know from a machine's own journal is which of its outputs were
 * acknowledged: acknowledgements are not journaled. An output counts as delivered here when the
 * receiver's journal holds the step that handled it (the receiver acknowledges only after that
 * write), so the outbox shown is the durable truth, possibly a moment behind the sender's memory.
 *
 * <p>Not thread-safe (one JDBC connection): a caller keeps one per thread. Close it to release the
 * connection.
 */
public final class MachineInspector implements AutoCloseable {
  /** Receivers' rows read backwards, at most, to find what they handled from a sender. */
  private static final int RECEIVER_SCAN_ROWS = 5_000;
  /** Receivers looked up per inspection, at most (the rest are shown with delivered -1). */
  private static final int MAX_RECEIVERS = 50;
  /** Send times remembered per channel while replaying (the newest): older outputs show time 0. */
  private static final int SEND_TIMES_PER_CHANNEL = 10_000;

  private final MachineRegistry registry;
  private final Serialization serialization;
  private final PayloadBytes codec;
  private final RuntimeSettings settings;
  // The same, never adopting: a divergence is reported here, not logged on every read.
  private final RuntimeSettings strict;
  private final JournalReader journal;

  /** One machine of a type: its id, its journal's highest row and when that row was written. */
  public record Listed(String id, long rows, long lastWrite) {}

  /** One output not yet handled by its receiver: its channel number, step time (0: unknown) and input. */
  public record Pending(long seq, long sentAt, Object input) {}

  /**
   * One outgoing channel: the last number assigned, the last one the receiver's journal shows
   * handled (-1 when not looked up), and the outputs after it.
   */
  public record Outgoing(Address to, long lastSeq, long delivered, List<Pending> unacked) {}

  /** One incoming channel: the last number handled. */
  public record Incoming(Address from, long handled) {}

  /** An armed timer. */
  public record Timer(String name, long generation, long deadline, Object input) {}

  /** A remembered idempotency key: its step's recorded time and the reply a repeat gets. */
  public record Key(String key, long time, Object reply) {}

  /**
   * One machine as its journal rebuilds it. {@code steps} counts steps, {@code rows} journal rows
   * (several steps may share a row); {@code replayError} is non-null when a step's re-run differs
   * from its journal, and then the rest describes the machine before that step (or, with {@code
   * adopt-journaled-outputs} on, after every step, as recovery then goes on). {@code effects} are the
   * effects requested and not yet handled, oldest first, each with its idempotency key.
   */
  public record Inspection(Address machine, Object state, long steps, long rows, long lastStepAt, long snapshotRow,
      List<Incoming> inbox, List<Outgoing> outbox, List<Timer> timers, List<Key> keys, List<Effect> effects,
      String replayError) {}

  /** An effect requested and not yet handled: its id ({@code step/index}), name, key and request. */
  public record Effect(String id, String name, String key, Object request) {}

  /** One journaled step: its row, its place in the row, when the row was written, and the step. */
  public record JournalStep(long row, int index, long writtenAt, StepTaken step) {}

  private MachineInspector(MachineRegistry registry, Serialization serialization, PayloadBytes codec,
      RuntimeSettings settings, JournalReader journal) {
    this.registry = registry;
    this.serialization = serialization;
    this.codec = codec;
    this.settings = settings;
    this.strict = settings.withAdoptJournaledOutputs(false);
    this.journal = journal;
  }

  /** An inspector of the journal configured by {@code rsm.storage.jdbc}, for {@code registry}'s types. */
  public static MachineInspector create(ActorSystem<?> system, MachineRegistry registry) {
    AllowedClasses.get(system).register(registry.types()); // rows name classes: only these are read
    JournalCodec journalCodec = RsmJournalSerializer.codec(system);
    return new MachineInspector(registry, SerializationExtension.get(system.classicSystem()),
        journalCodec != null ? journalCodec.bytes() : PayloadBytes.standalone(), RuntimeSettings.create(system),
        new JournalReader(system.settings().config().getConfig("rsm.storage.jdbc")));
  }

  /**
   * Up to {@code limit} machines of {@code type} whose id sorts after {@code afterId} (null: from
   * the first) and contains {@code contains} (null: any), in id order.
   */
  public List<Listed> machines(String type, String afterId, String contains, int limit) throws SQLException {
    String prefix = "rsm|" + type + "|";
    return guarded(() -> {
      List<Listed> out = new ArrayList<>();
      for (JournalReader.Machine m : journal.machines(prefix, prefix + (afterId == null ? "" : afterId), contains, limit))
        out.add(new Listed(m.persistenceId().substring(prefix.length()), m.rows(), m.lastWrite()));
      return out;
    });
  }

  /** How many machines of {@code type} have journal rows. */
  public long count(String type) throws SQLException {
    return guarded(() -> journal.countMachines("rsm|" + type + "|"));
  }

  /** The machine rebuilt from its journal, or empty if it has no rows. */
  @SuppressWarnings("unchecked")
  public Optional<Inspection> inspect(Address address) throws SQLException {
    MachineType<?, ?> type = registry.get(address.type());
    String pid = address.persistenceId();
    return guarded(() -> {
      long highest = journal.highestRow(pid);
      if (highest == 0) return Optional.empty();
      JournalReader.StoredAt snap = settings.recoverFromSnapshots() ? journal.latestSnapshot(pid, highest) : null;
      RuntimeState s = snap == null ? new RuntimeState(type.initialState())
          : RuntimeState.fromSnapshot((MachineSnapshot) deserialize(snap.stored().serializerId(),
              snap.stored().manifest(), snap.stored().payload()));
      Machine<Object, Object> machine = (Machine<Object, Object>) type.machine();
      Map<Address, Map<Long, Long>> sentAt = new HashMap<>();
      long lastStepAt = 0;
      String replayError = null;
      long row = snap == null ? 1 : snap.seqNr() + 1;
      rows:
      while (row <= highest) {
        List<JournalReader.Row> rows = journal.page(pid, row, 500, false);
        if (rows.isEmpty()) break;
        for (JournalReader.Row r : rows) {
          for (StepTaken e : steps(r)) {
            Object next;
            try {
              next = e.rejected() != null ? s.user : Replay.recompute(machine, address, s, e, strict, codec, dev.rsm.persistence.StepObserver.NONE);
            } catch (ReplayDivergenceException d) {
              if (replayError == null) replayError = d.getMessage();
              if (!settings.adoptJournaledOutputs()) break rows; // recovery fails here: show the state before
              next = adopted(machine, address, s, e); // as recovery goes on, without its WARN on every read
            }
            s.apply(e, next, settings.idempotencyMaxKeys(), settings.idempotencyRetentionMillis(), 0);
            lastStepAt = e.time();
            for (Sent sent : e.sends()) sentAt.computeIfAbsent(sent.to(), a -> new java.util.LinkedHashMap<>() {
              @Override
              protected boolean removeEldestEntry(Map.Entry<Long, Long> eldest) {
                return size() > SEND_TIMES_PER_CHANNEL; // a replay from row 1 must not hold every send ever
              }
            }).put(sent.seq(), e.time());
          }
          row = r.seqNr() + 1;
        }
      }
      List<Incoming> inbox = new ArrayList<>();
      s.inbox.forEach((from, in) -> inbox.add(new Incoming(from, in.hw)));
      List<Outgoing> outbox = new ArrayList<>();
      int looked = 0;
      for (OutChannel ch : s.outbox.values()) {
        long delivered = ch.unacked.isEmpty() ? ch.lastSeq : looked++ < MAX_RECEIVERS ? handledBy(ch.to, address) : -1;
        List<Pending> pending = new ArrayList<>();
        Map<Long, Long> times = sentAt.getOrDefault(ch.to, Map.of());
        for (Sent u : ch.unacked)
          if (delivered < 0 || u.seq() > delivered) pending.add(new Pending(u.seq(), times.getOrDefault(u.seq(), 0L), u.input()));
        outbox.add(new Outgoing(ch.to, ch.lastSeq, delivered, pending));
      }
      List<Timer> timers = new ArrayList<>();
      for (Armed a : s.timers.values()) timers.add(new Timer(a.name(), a.generation(), a.deadline(), a.input()));
      List<Key> keys = new ArrayList<>();
      s.keys.forEach((k, v) -> keys.add(new Key(k, v.time(), v.reply())));
      if (lastStepAt == 0 && replayError == null) { // every row was in the snapshot: its last row's time
        List<StepTaken> last = steps(journal.page(pid, highest, 1, true).get(0));
        lastStepAt = last.get(last.size() - 1).time();
      }
      List<Effect> effects = new ArrayList<>();
      for (MachineSnapshot.Pending p : s.effects.values())
        effects.add(new Effect(p.id(), p.name(), EffectRunner.key(address, p.id()), p.request()));
      return Optional.of(new Inspection(address, s.user, s.seqNr, highest, lastStepAt, snap == null ? 0 : snap.seqNr(),
          inbox, outbox, timers, keys, effects, replayError));
    });
  }

  /**
   * The state after a diverging step when {@code adopt-journaled-outputs} is on: the handler's
   * next state, its outputs replaced by the journaled ones, as recovery does (see Replay).
   */
  private static Object adopted(Machine<Object, Object> machine, Address self, RuntimeState s, StepTaken e) {
    try {
      return machine.handle(s.user, Envelopes.forHandler(e.input()), dev.rsm.actors.Context.of(self, e.time(), e.seed())).nextState(s.user);
    } catch (RuntimeException failing) {
      return s.user;
    }
  }

  /**
   * The last number on the channel from {@code sender} that {@code receiver}'s journal shows
   * handled (rejected inputs included), or -1 when it cannot tell within {@link #RECEIVER_SCAN_ROWS}.
   */
  private long handledBy(Address receiver, Address sender) throws SQLException {
    String pid = receiver.persistenceId();
    long highest = journal.highestRow(pid);
    JournalReader.StoredAt snap = journal.latestSnapshot(pid, highest);
    long floor = snap == null ? 0 : snap.seqNr();
    long row = highest;
    int scanned = 0;
    try {
      while (row > floor && scanned < RECEIVER_SCAN_ROWS) {
        List<JournalReader.Row> rows = journal.page(pid, row, 200, true);
        if (rows.isEmpty()) break;
        for (JournalReader.Row r : rows) {
          if (r.seqNr() <= floor) break;
          List<StepTaken> steps = steps(r);
          for (int i = steps.size() - 1; i >= 0; i--)
            if (steps.get(i).origin() instanceof Origin.Channel c && c.from().equals(sender)) return c.seq();
          row = r.seqNr() - 1;
          scanned++;
        }
      }
      if (row > floor) return -1;
      if (snap == null) return 0;
      MachineSnapshot m = (MachineSnapshot) deserialize(snap.stored().serializerId(), snap.stored().manifest(),
          snap.stored().payload());
      return m.inbox().stream().filter(i -> i.from().equals(sender)).mapToLong(MachineSnapshot.Inbound::hw)
          .findFirst().orElse(0);
    } catch (IllegalStateException unreadable) { // a receiver of a type this node does not know
      return -1;
    }
  }

  /**
   * Up to {@code limit} journal rows of the machine, decoded into steps: from row {@code from} on,
   * or with {@code descending} from row {@code from} back (use {@code Long.MAX_VALUE} for the newest).
   */
  public List<JournalStep> journal(Address address, long from, int limit, boolean descending) throws SQLException {
    registry.get(address.type());
    return guarded(() -> {
      List<JournalStep> out = new ArrayList<>();
      for (JournalReader.Row r : journal.page(address.persistenceId(), from, limit, descending)) {
        List<StepTaken> steps = steps(r);
        for (int i = 0; i < steps.size(); i++) out.add(new JournalStep(r.seqNr(), i, r.writeTimestamp(), steps.get(i)));
      }
      return out;
    });
  }

  private List<StepTaken> steps(JournalReader.Row r) {
    Object event = deserialize(r.serializerId(), r.manifest(), r.payload());
    if (event instanceof StepTaken step) return List.of(step);
    if (event instanceof StepsTaken batch) return batch.steps();
    throw new IllegalStateException("journal row " + r.seqNr() + " of " + r.persistenceId()
        + " is not an RSM step: " + event.getClass().getName());
  }

  private Object deserialize(int serializerId, String manifest, byte[] payload) {
    try {
      return serialization.deserialize(payload, serializerId, manifest).get();
    } catch (Exception e) {
      throw new IllegalStateException("a journal row cannot be read with the deployed classes: " + e, e);
    }
  }

  private interface Query<T> {
    T run() throws SQLException;
  }

  /** Runs a query; after a failure the connection is dropped, and the next query opens a new one. */
  private <T> T guarded(Query<T> q) throws SQLException {
    try {
      return q.run();
    } catch (SQLException | RuntimeException e) {
      journal.reset();
      throw e;
    }
  }

  @Override
  public void close() {
    journal.close();
  }
}
