package dev.rsm.persistence.spec;

import static dev.rsm.persistence.spec.ModelState.A;
import static dev.rsm.persistence.spec.ModelState.DISARM;

import dev.rsm.persistence.spec.ModelState.Row;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code spec/rsm.pml} as executable Java, projected on what {@link ModelState} keeps: the
 * environment's actions and the steps the incarnations take, with the guards the Promela model
 * puts on them. A step appends one row to a journal: {@code EXT(k)} for a pending request
 * (sending {@code EXT(k)} as message {@code dsent+1}, and on A arming generation {@code tmax+1}),
 * {@code CH(hw+1)} when the peer journaled that send (with its content), {@code TMR(tgen)} for the
 * armed generation (disarming it). A reply reaches the caller only for a journaled key. Crashes,
 * hibernation, waking, transport faults and a second incarnation change none of these variables:
 * in the model they change an incarnation's memory and the wire, which decide only which of the
 * steps above happen next, never what a step writes.
 */
public final class Model {
  private Model() {}

  /** The environment's part of {@code action}: a request reaches its machine. */
  public static ModelState environment(ModelState s, SimAction action) {
    if (action instanceof SimAction.Send send) return s.withReq(send.m(), send.key());
    if (action instanceof SimAction.Second second) return s.withReq(ModelState.B, second.key());
    return s;
  }

  /**
   * The states the model reaches from {@code s} by one step of an incarnation or one reply
   * reaching a caller: the model's {@code take} with its guards, and its {@code replied}.
   */
  public static Set<ModelState> steps(ModelState s) {
    Set<ModelState> next = new HashSet<>();
    for (int m = 0; m < 2; m++) {
      for (Row row : enabledRows(s, m)) next.add(s.withRow(m, row));
      for (int k : s.req().get(m))
        if (s.journaled(m, "EXT(" + k + ")") && !s.replied().get(m).contains(k)) next.add(s.withReplied(m, k));
    }
    return next;
  }

  /** The rows an incarnation of m may append next (the enabled {@code take}s). */
  static List<Row> enabledRows(ModelState s, int m) {
    List<Row> rows = new ArrayList<>();
    int peer = 1 - m;
    for (int k : s.req().get(m)) {
      String mark = "EXT(" + k + ")";
      if (!s.journaled(m, mark)) rows.add(new Row(mark, null, mark, s.dsent(m) + 1, m == A ? s.tmax(m) + 1 : 0));
    }
    long n = s.dhw(m) + 1;
    if (n <= s.dsent(peer)) rows.add(new Row("CH(" + n + ")", s.sendContent(peer, n), null, 0, 0));
    long g = s.tgen(m);
    if (g != 0) rows.add(new Row("TMR(" + g + ")", null, null, 0, DISARM));
    return rows;
  }

  /**
   * Whether {@code to} is a state the model reaches from {@code from} by {@code action} followed by
   * steps. Empty if so, else why not: the first row or reply of {@code to} that no step of the model
   * produces. Each step appends to a journal or adds a reply, so only states below {@code to} matter;
   * the search takes, while it can, the step toward {@code to} that is enabled. That is complete:
   * each journal's next row is fixed by {@code to}, a step of one machine only enables the other's
   * (it adds sends), and a reply stays enabled.
   */
  public static Optional<String> unreachable(ModelState from, SimAction action, ModelState to) {
    ModelState s = environment(from, action);
    if (!s.req().equals(to.req())) return Optional.of("requests " + to.req() + ", the model has " + s.req());
    for (int m = 0; m < 2; m++) {
      List<Row> have = s.J().get(m), want = to.J().get(m);
      if (have.size() > want.size() || !want.subList(0, have.size()).equals(have))
        return Optional.of("J[" + SimAction.name(m) + "] is not an extension of " + have + ": " + want);
      if (!to.replied().get(m).containsAll(s.replied().get(m)))
        return Optional.of("a reply was taken back: " + to.replied());
    }
    boolean progress = true;
    while (progress && !s.equals(to)) {
      progress = false;
      for (ModelState next : steps(s)) {
        if (below(next, to)) {
          s = next;
          progress = true;
          break;
        }
      }
    }
    if (s.equals(to)) return Optional.empty();
    for (int m = 0; m < 2; m++) {
      int at = s.J().get(m).size();
      if (at < to.J().get(m).size())
        return Optional.of("J[" + SimAction.name(m) + "] row " + (at + 1) + " " + to.J().get(m).get(at)
            + " is no step of the model there (enabled: " + enabledRows(s, m) + ")");
      Set<Integer> extra = new HashSet<>(to.replied().get(m));
      extra.removeAll(s.replied().get(m));
      if (!extra.isEmpty()) return Optional.of("replies " + extra + " from " + SimAction.name(m) + " without a journaled step");
    }
    return Optional.of("not reachable");
  }

  private static boolean below(ModelState s, ModelState to) {
    for (int m = 0; m < 2; m++) {
      List<Row> have = s.J().get(m), want = to.J().get(m);
      if (have.size() > want.size() || !want.subList(0, have.size()).equals(have)) return false;
      if (!to.replied().get(m).containsAll(s.replied().get(m))) return false;
    }
    return true;
  }

  /**
   * The model's safety properties on a state, by their names in rsm.pml: {@code exactly_once}
   * (distinct marks), {@code fifo} (channel numbers 1, 2, ... in order), {@code acked_was_handled}
   * as far as the journals show it (a handled message has the content its sender journaled),
   * {@code send_durable}'s numbering (a send is numbered by its position), {@code reply_durable}
   * (a reply only for a journaled key). Empty if they hold, else the first that fails.
   */
  public static Optional<String> violatedInvariant(ModelState s) {
    for (int m = 0; m < 2; m++) {
      String who = SimAction.name(m);
      List<Row> j = s.J().get(m);
      Set<String> marks = new HashSet<>();
      long hw = 0, sent = 0;
      for (Row r : j) {
        if (!marks.add(r.mark())) return Optional.of("exactly_once: J[" + who + "] handles " + r.mark() + " twice: " + j);
        if (r.mark().startsWith("CH(")) {
          long n = ModelState.num(r.mark());
          if (n != hw + 1) return Optional.of("fifo: J[" + who + "] handles " + r.mark() + " after CH(" + hw + "): " + j);
          hw = n;
          String c = s.sendContent(1 - m, n);
          if (c != null && !c.equals(r.cont()))
            return Optional.of("acked_was_handled: J[" + who + "] handled " + r.cont() + " as " + r.mark() + ", sent was " + c);
        }
        if (r.send() != null && r.sendSeq() != ++sent)
          return Optional.of("send_durable: J[" + who + "] numbers its send " + r.sendSeq() + ", its position is " + sent);
      }
      for (int k : s.replied().get(m))
        if (!s.journaled(m, "EXT(" + k + ")")) return Optional.of("reply_durable: " + who + " replied to key " + k + " unjournaled");
    }
    return Optional.empty();
  }
}
