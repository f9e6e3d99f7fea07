package dev.rsm.persistence.spec;

import static dev.rsm.persistence.spec.ModelState.A;
import static dev.rsm.persistence.spec.ModelState.B;

import dev.rsm.actors.Address;
import dev.rsm.persistence.IngressResult;
import dev.rsm.persistence.MachineView;
import dev.rsm.persistence.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * One try: machines A and B (fresh ids), the callers' requests and replies, and the abstraction
 * of the runtime's state after the last action. {@link #step} drives an action into the runtime
 * and checks that the new abstraction is a state the model reaches from the previous one by that
 * action followed by steps of the model (the runtime takes its internal steps, deliveries, acks,
 * resends, timer firings, asynchronously), and that the model's invariants hold on it.
 */
final class Simulation {
  private static final long TIMER_MILLIS = 5;
  static final boolean STRICT_READS = Boolean.getBoolean("rsm.sim.strict-reads");

  private final World world;
  final Address[] machine;
  private final List<Set<Integer>> req = List.of(new TreeSet<>(), new TreeSet<>());
  private final List<Set<Integer>> replied = List.of(new TreeSet<>(), new TreeSet<>());
  private final List<String> history = new ArrayList<>();
  private ModelState last = ModelState.INITIAL;
  private boolean secondWrote;

  Simulation(World world, String id) {
    this.world = world;
    this.machine = new Address[] {Duo.TYPE.address(id + "-a"), Duo.TYPE.address(id + "-b")};
  }

  private Duo.Request request(int m, int key) {
    return new Duo.Request(key, machine[1 - m].id(), m == A, TIMER_MILLIS);
  }

  /** Drives {@code action} into the runtime, then checks the abstraction against the model. */
  void step(SimAction action) {
    history.add(action.toString());
    long start = System.nanoTime();
    perform(action);
    check(action);
    world.add("ms " + action.getClass().getSimpleName(), (System.nanoTime() - start) / 1_000_000);
  }

  private void perform(SimAction action) {
    if (action instanceof SimAction.Send s) {
      req.get(s.m()).add(s.key());
      ask(world.node, s.m(), s.key());
    } else if (action instanceof SimAction.Second s) {
      req.get(B).add(s.key());
      secondWrote = true;
      world.count("second incarnation asked");
      if (world.leases != null) secondUnderLease(s.key());
      else if (ask(world.other, B, s.key())) world.count("second incarnation replied");
    } else if (action instanceof SimAction.Duplicate d) {
      if (world.node.duplicate(machine[1 - d.m()], machine[d.m()], d.i())) world.count("duplicated");
    } else if (action instanceof SimAction.Crash c) {
      world.armed.put(machine[c.m()], c.point());
    } else if (action instanceof SimAction.Hibernate h) {
      if (world.abstraction.journal(machine[h.m()]).steps().isEmpty()) return;
      // An incarnation that is stopped (fenced, or crashed and not yet addressed again) never
      // hibernates: the wait is bounded, and counted.
      if (!Await.within(Duration.ofMillis(300), Duration.ofMillis(1), () -> world.hibernated.contains(machine[h.m()])))
        world.count("hibernate not reached in 300 ms");
    } else if (action instanceof SimAction.Wake w) {
      wakeAndRead(w.m());
    }
  }

  /**
   * With leases: node 1 loses B's lease (its renewals stop until the lease expires), node 2
   * acquires it and handles the key, and then node 1's copy must answer no read ({@code
   * no_stale_read} while the lease is held elsewhere). Then the lease goes back: node 2 stops
   * renewing and node 1 acquires it again at its next message after the expiry.
   */
  private void secondUnderLease(int key) {
    world.leases.toOther();
    try {
      if (!Await.within(world.leases.takeover(), Duration.ZERO, () -> ask(world.other, B, key))) {
        world.count("second incarnation not answered in " + world.leases.takeover().toMillis() + " ms");
        return;
      }
      world.count("second incarnation replied");
      MachineView view;
      try {
        view = world.node.machines().state(machine[B], world.ask).toCompletableFuture().join();
      } catch (RuntimeException refused) {
        world.count("node 1 answered no read while node 2 held the lease");
        return;
      }
      fail("no_stale_read: node 1 answered a read of B while node 2 held B's lease: " + view, null);
    } finally {
      world.leases.back();
    }
  }

  /** Whether the caller got the reply. */
  private boolean ask(Node node, int m, int key) {
    try {
      IngressResult r = node.machines().ask(machine[m], String.valueOf(key), request(m, key), world.ask)
          .toCompletableFuture().join();
      if (r instanceof IngressResult.Replied) replied.get(m).add(key);
      else world.count("ask answered " + r.getClass().getSimpleName());
      return r instanceof IngressResult.Replied;
    } catch (RuntimeException lost) {
      world.count("ask timed out"); // lost in a crash: the caller may retry with the key
      return false;
    }
  }

  private void wakeAndRead(int m) {
    Abstraction.Journal before = world.abstraction.journal(machine[m]);
    MachineView view;
    try {
      view = world.node.machines().state(machine[m], world.ask).toCompletableFuture().join();
    } catch (RuntimeException lost) {
      world.count("read timed out");
      return;
    }
    Abstraction.Journal after = world.abstraction.journal(machine[m]);
    Abstraction.Journal peer = world.abstraction.journal(machine[1 - m]);
    // Under leases one incarnation answers at a time even after the second one wrote: the read must
    // show the journal's latest step.
    Optional<String> wrong = Abstraction.checkView(m, view, before, after, peer, !secondWrote || world.leases != null);
    if (wrong.isEmpty()) return;
    if (!STRICT_READS && view.seqNr() == after.count() + 1 && wrong.get().startsWith("no_stale_read")) {
      // A known discrepancy (docs/tests.md): a read answered with one step more than the journal
      // shows right after the answer arrived; the row appears moments later. Counted, and printed
      // once per try, unless -Drsm.sim.strict-reads=true makes it fail the property.
      world.count("read ahead of the journal by one step");
      System.out.println("simulation: read ahead of the journal: " + wrong.get() + " after " + history
          + "; a new connection now reads " + world.abstraction.journalOnNewConnection(machine[m]).count()
          + " steps, the kept one " + world.abstraction.journal(machine[m]).count());
      return;
    }
    fail(wrong.get() + " (the view: " + view + ")", null);
  }

  private void check(SimAction action) {
    ModelState now = world.abstraction.of(machine[A], machine[B], req, replied);
    Optional<String> broken = Model.violatedInvariant(now);
    if (broken.isPresent()) fail(broken.get(), now);
    Optional<String> unreachable = Model.unreachable(last, action, now);
    if (unreachable.isPresent()) fail("not a state the model reaches by " + action + ": " + unreachable.get(), now);
    last = now;
  }

  /**
   * The model's liveness, {@code every_message_handled}: with faults stopped and the callers
   * retrying, every request is answered, every message sent is handled and the timer fires.
   */
  void settle() {
    history.add("settle");
    long start = System.nanoTime();
    try {
      awaitSettled();
    } finally {
      world.add("ms settle", (System.nanoTime() - start) / 1_000_000);
    }
  }

  private void awaitSettled() {
    world.armed.remove(machine[A]);
    world.armed.remove(machine[B]);
    ModelState[] now = new ModelState[1];
    // Polled often: every chain ends here, and the runtime settles within milliseconds.
    boolean settled = Await.within(Duration.ofSeconds(15), Duration.ofMillis(5), () -> {
      for (int m = 0; m < 2; m++)
        for (int k : req.get(m)) if (!replied.get(m).contains(k)) ask(world.node, m, k);
      now[0] = world.abstraction.of(machine[A], machine[B], req, replied);
      check(new SimAction.Settle());
      return now[0].replied().equals(now[0].req()) && now[0].dhw(B) == now[0].dsent(A)
          && now[0].dhw(A) == now[0].dsent(B) && now[0].tgen(A) == 0;
    });
    if (!settled) fail("every_message_handled: not settled in 15 s", now[0]);
  }

  private void fail(String why, ModelState now) {
    StringBuilder actions = new StringBuilder();
    for (int i = 0; i < history.size(); i++) actions.append("\n    ").append(i + 1).append(". ").append(history.get(i));
    throw new AssertionError(why + "\n  actions:" + actions + "\n  model state before: " + last
        + (now == null ? "" : "\n  abstraction now:    " + now));
  }

  @Override
  public String toString() {
    return "Simulation" + history;
  }
}
