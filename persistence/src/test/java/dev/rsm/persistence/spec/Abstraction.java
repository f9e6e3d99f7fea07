package dev.rsm.persistence.spec;

import static dev.rsm.persistence.spec.ModelState.DISARM;

import com.typesafe.config.Config;
import dev.rsm.actors.Address;
import dev.rsm.persistence.MachineView;
import dev.rsm.persistence.internal.Origin;
import dev.rsm.persistence.internal.StepTaken;
import dev.rsm.persistence.internal.StepsTaken;
import dev.rsm.persistence.spec.ModelState.Row;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;

/**
 * The abstraction function (docs/design.md, "From the runtime's state to the model's") as code:
 * from what the runtime stored and shows to a {@link ModelState}. A machine's rows in {@code
 * event_journal}, each {@link StepTaken} of a {@code StepTaken}/{@link StepsTaken} row in sequence
 * order, become {@code J[m]}: {@link Origin.External} key k is {@code EXT(k)}, {@link
 * Origin.Channel} seq n is {@code CH(n)}, {@link Origin.Timer} generation g is {@code TMR(g)}; the
 * handled message's content, the step's send with its sequence number, its timer op (a {@code
 * TimerSet} generation, a cancel or the firing itself as {@code DISARM}). The callers' requests and
 * replies are kept by the test ({@link Simulation}). {@link #checkView} maps an incarnation's
 * {@link MachineView} (its {@code RuntimeState}: {@code seqNr}, unacknowledged outputs, armed
 * timers) to {@code M[i].ver}, {@code last - acked} and {@code tgen} and checks them against the
 * journals.
 */
final class Abstraction implements AutoCloseable {
  /** A machine's journal as steps, and the journal row (sequence number) each step is in. */
  record Journal(List<Row> steps, List<Long> seqNrs) {
    /** Steps journaled: what {@code RuntimeState.seqNr} counts (a row of a group commit holds several). */
    public long count() {
      return steps.size();
    }
  }

  private final Config jdbc;
  private Connection connection;
  private final Serialization serialization;

  Abstraction(ActorSystem<?> system) {
    this.jdbc = system.settings().config().getConfig("rsm.storage.jdbc");
    this.connection = connect();
    this.serialization = SerializationExtension.get(system.classicSystem());
  }

  private Connection connect() {
    try {
      return DriverManager.getConnection(jdbc.getString("url"), jdbc.getString("user"), jdbc.getString("password"));
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The journal of {@code machine} read on a new connection (a diagnostic: does a fresh one see more?). */
  Journal journalOnNewConnection(Address machine) {
    Connection kept = connection;
    connection = connect();
    try {
      return journal(machine);
    } finally {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // closing
      }
      connection = kept;
    }
  }

  /** The abstraction of the journals of A and B, with the callers' requests and replies. */
  ModelState of(Address a, Address b, List<Set<Integer>> req, List<Set<Integer>> replied) {
    return new ModelState(List.of(journal(a).steps(), journal(b).steps()), req, replied);
  }

  Journal journal(Address machine) {
    List<Row> steps = new ArrayList<>();
    List<Long> seqNrs = new ArrayList<>();
    try (PreparedStatement st = connection.prepareStatement("SELECT \"sequence_number\", \"event_ser_id\", "
        + "\"event_ser_manifest\", \"event_payload\" FROM \"event_journal\" WHERE \"persistence_id\" = ? "
        + "AND \"deleted\" = FALSE ORDER BY \"sequence_number\"")) {
      st.setString(1, machine.persistenceId());
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          Object event = serialization.deserialize(rs.getBytes(4), rs.getInt(2), rs.getString(3)).get();
          List<StepTaken> taken = event instanceof StepsTaken many ? many.steps() : List.of((StepTaken) event);
          for (StepTaken t : taken) {
            steps.add(row(t));
            seqNrs.add(rs.getLong(1));
          }
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return new Journal(steps, seqNrs);
  }

  static Row row(StepTaken t) {
    String mark;
    long tmr = 0;
    if (t.origin() instanceof Origin.External x) mark = "EXT(" + x.key() + ")";
    else if (t.origin() instanceof Origin.Channel c) mark = "CH(" + c.seq() + ")";
    else {
      mark = "TMR(" + ((Origin.Timer) t.origin()).generation() + ")";
      tmr = DISARM; // the firing's step removes the armed timer (the model's take of TMR)
    }
    String cont = t.input() instanceof Duo.Message m ? m.content() : null;
    String send = null;
    long sendSeq = 0;
    if (!t.sends().isEmpty()) {
      send = ((Duo.Message) t.sends().get(0).input()).content();
      sendSeq = t.sends().get(0).seq();
    }
    for (StepTaken.TimerSet set : t.timers()) tmr = set.isCancel() ? DISARM : set.generation();
    return new Row(mark, cont, send, sendSeq, tmr);
  }

  /**
   * An incarnation's view of m ({@code M[i]}), read between two reads of the journals, against
   * them: {@code no_stale_read} (when m has one incarnation, its {@code ver} is the journal's latest
   * row), {@code acked_was_handled} (what it counts as acknowledged, {@code last - unacked} after its
   * {@code ver} steps, the peer journaled) and its armed timer ({@code tgen} at {@code ver}).
   */
  static Optional<String> checkView(int m, MachineView view, Journal before, Journal after, Journal peerAfter,
      boolean soleIncarnation) {
    String who = SimAction.name(m);
    long ver = view.seqNr();
    if (soleIncarnation && (ver < before.count() || ver > after.count()))
      return Optional.of("no_stale_read: " + who + " read at step " + ver + ", the journal had " + before.count() + " to "
          + after.count());
    long last = 0, tgen = 0;
    for (int i = 0; i < after.steps().size() && i < ver; i++) {
      Row r = after.steps().get(i);
      if (r.send() != null) last++;
      if (r.tmr() == DISARM) tgen = 0; else if (r.tmr() != 0) tgen = r.tmr();
    }
    long acked = last - view.unackedOutputs();
    long peerHw = new ModelState(List.of(peerAfter.steps(), peerAfter.steps()), List.of(Set.of(), Set.of()),
        List.of(Set.of(), Set.of())).dhw(0);
    if (acked > peerHw)
      return Optional.of("acked_was_handled: " + who + " counts " + acked + " outputs acknowledged, its peer journaled " + peerHw);
    if ((tgen != 0) != (view.armedTimers() > 0))
      return Optional.of(who + " has " + view.armedTimers() + " armed timers at row " + ver + ", its journal says generation " + tgen);
    return Optional.empty();
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException ignored) {
      // closing
    }
  }
}
