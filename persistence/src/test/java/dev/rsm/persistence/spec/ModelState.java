package dev.rsm.persistence.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A state of {@code spec/rsm.pml} as far as a test can observe it from outside the runtime: the
 * journals {@code J[0]} (A) and {@code J[1]} (B), the keys whose request reached each machine
 * ({@code req}, kept after the request was handled, so "requested and not journaled" is the
 * model's pending request) and the keys whose reply reached the caller ({@code replied}). Every
 * other variable of the model ({@code M[i]}, {@code W[c]}) is the runtime's internal state; its
 * observable parts are checked against these by {@link Abstraction#checkView}.
 */
public record ModelState(List<List<Row>> J, List<Set<Integer>> req, List<Set<Integer>> replied) {
  public static final int A = 0;
  public static final int B = 1;
  /** A row's timer op when the firing's step removes the armed timer. */
  public static final int DISARM = -1;

  public ModelState {
    J = List.of(List.copyOf(J.get(0)), List.copyOf(J.get(1)));
    req = List.of(Set.copyOf(req.get(0)), Set.copyOf(req.get(1)));
    replied = List.of(Set.copyOf(replied.get(0)), Set.copyOf(replied.get(1)));
  }

  public static final ModelState INITIAL =
      new ModelState(List.of(List.of(), List.of()), List.of(Set.of(), Set.of()), List.of(Set.of(), Set.of()));

  /**
   * One journal row (one step): its origin {@code mark} ({@code EXT(k)}, {@code CH(n)}, {@code
   * TMR(g)}), the content {@code cont} of the channel message it handled (null else), the content
   * {@code send} of the message it sent (null for none) and that send's number {@code sendSeq} on
   * its channel, and its timer op {@code tmr} (0 none, a generation armed, or {@link #DISARM}).
   */
  public record Row(String mark, String cont, String send, long sendSeq, long tmr) {
    @Override
    public String toString() {
      return mark + (cont != null ? "<" + cont : "") + (send != null ? ">" + send + "#" + sendSeq : "")
          + (tmr == DISARM ? " disarm" : tmr != 0 ? " arm" + tmr : "");
    }
  }

  // ---- functions of the journal, named as in rsm.pml (dsent, dhw) and its recover()

  /** Sends journaled by machine m (its channel's last number). */
  public long dsent(int m) {
    return J.get(m).stream().filter(r -> r.send() != null).count();
  }

  /** The highest channel number machine m journaled. */
  public long dhw(int m) {
    long hw = 0;
    for (Row r : J.get(m)) if (r.mark().startsWith("CH(")) hw = num(r.mark());
    return hw;
  }

  /** The armed timer's generation after replaying m's journal (0 none): {@code M[i].tgen}. */
  public long tgen(int m) {
    long g = 0;
    for (Row r : J.get(m)) if (r.tmr() == DISARM) g = 0; else if (r.tmr() != 0) g = r.tmr();
    return g;
  }

  /** The highest generation used: {@code M[i].tmax}. */
  public long tmax(int m) {
    long g = 0;
    for (Row r : J.get(m)) if (r.tmr() > 0) g = r.tmr();
    return g;
  }

  /** The content of message n of machine m's channel (null if m did not send it). */
  public String sendContent(int m, long n) {
    for (Row r : J.get(m)) if (r.send() != null && r.sendSeq() == n) return r.send();
    return null;
  }

  public boolean journaled(int m, String mark) {
    return J.get(m).stream().anyMatch(r -> r.mark().equals(mark));
  }

  ModelState withRow(int m, Row row) {
    List<List<Row>> j = new ArrayList<>(J);
    List<Row> rows = new ArrayList<>(j.get(m));
    rows.add(row);
    j.set(m, rows);
    return new ModelState(j, req, replied);
  }

  ModelState withReq(int m, int key) {
    List<Set<Integer>> r = new ArrayList<>(req);
    Set<Integer> keys = new TreeSet<>(r.get(m));
    keys.add(key);
    r.set(m, keys);
    return new ModelState(J, r, replied);
  }

  ModelState withReplied(int m, int key) {
    List<Set<Integer>> r = new ArrayList<>(replied);
    Set<Integer> keys = new TreeSet<>(r.get(m));
    keys.add(key);
    r.set(m, keys);
    return new ModelState(J, req, r);
  }

  static long num(String mark) {
    return Long.parseLong(mark.substring(mark.indexOf('(') + 1, mark.length() - 1));
  }

  @Override
  public String toString() {
    return "J[A]=" + J.get(0) + " J[B]=" + J.get(1) + " req=" + req + " replied=" + replied;
  }
}
