package dev.rsm.multijvm.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rsm.persistence.internal.JournalCodec;
import dev.rsm.persistence.internal.Origin;
import dev.rsm.persistence.internal.RsmJournalSerializer;
import dev.rsm.persistence.internal.StepTaken;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The audit every scenario ends with ({@link #afterScenario}), from the outside, once the clients
 * have stopped:
 *
 * <ol>
 *   <li>on the nodes still serving, every account, read over HTTP, holds exactly what the client's
 *       ledger says, has no unacknowledged outputs, and has taken exactly one step per key sent to
 *       it plus one per accepted transfer into it ({@code seqNr}); the balances sum to the deposits
 *       (money is conserved);
 *   <li>every node is killed ({@code kill -9}: what was acknowledged must be in the store without a
 *       clean shutdown);
 *   <li>in the store's {@code event_journal}, decoded step by step, the accounts are exactly the
 *       machines journaled, every key is the origin of exactly one step of its account, no other
 *       key is, and the steps from other machines (credits) are exactly the accepted transfers into
 *       the account. A key applied twice, a credit delivered twice, or a lost step would each break
 *       one of these;
 *   <li>a fresh node (new process, new working directory, same store) recovers every account from
 *       its whole journal, snapshots ignored, so that a history no replay can reproduce is found:
 *       each answers 200 (not 503 after a replay divergence) with the ledger's balance and step
 *       count ({@link #recoverAllOnFreshNode}).
 * </ol>
 *
 * Without live nodes to read first (after a split brain), the fresh node comes before the journal:
 * it delivers what the killed nodes left unacknowledged, so that the journal is read settled.
 */
public final class Audit {
  /** How long the accounts may take to converge (credits in flight) before a difference is a failure. */
  static final Duration SETTLE = Duration.ofSeconds(30);
  private static final String ACCOUNT = "rsm|account|";
  /** How a node logs a {@code ReplayDivergenceException}: the machine and the step where replay differed. */
  static final Pattern DIVERGENCE = Pattern.compile("replay divergence in machine \\S+ at sequence number \\d+");

  private Audit() {}

  /**
   * Runs the whole audit; returns its summary, one line per part. {@code live}: HTTP ports of the
   * nodes to read the accounts through first; empty when no node can be trusted to serve the
   * truth (after a split brain either side may hold a stale copy), and then the fresh node is the
   * only reader.
   */
  public static String afterScenario(Scenario scenario, Bank bank, List<Integer> live) {
    List<String> lines = new ArrayList<>();
    List<AssertionError> failed = new ArrayList<>();
    // Each part runs even if one before it failed: together they tell what went wrong.
    // The journal is read when nothing is in flight: after the live nodes settled (nothing
    // unacknowledged), or else after the fresh node settled, having delivered the outputs that
    // were still unacknowledged when the nodes died (credits journaled with their debit).
    if (!live.isEmpty()) {
      part(lines, failed, () -> liveNodesAgree(bank, live));
      scenario.killAll();
      part(lines, failed, () -> journalAgrees(bank, scenario.database()));
      part(lines, failed, () -> recoverAllOnFreshNode(scenario, bank));
    } else {
      scenario.killAll();
      part(lines, failed, () -> recoverAllOnFreshNode(scenario, bank));
      part(lines, failed, () -> journalAgrees(bank, scenario.database()));
    }
    return report(lines, failed);
  }

  /** The parts' summaries, one per line; or, if any part failed, an error that lists them all. */
  static String report(List<String> lines, List<AssertionError> failed) {
    if (failed.isEmpty()) return String.join("\n[multi-jvm] ", lines);
    AssertionError e = new AssertionError("the audit failed in " + failed.size() + " of " + (lines.size() + failed.size())
        + " parts:\n  " + String.join("\n  ", failed.stream().map(Throwable::getMessage).toList())
        + (lines.isEmpty() ? "" : "\npassed:\n  " + String.join("\n  ", lines)), failed.get(0));
    failed.stream().skip(1).forEach(e::addSuppressed);
    throw e;
  }

  static void part(List<String> lines, List<AssertionError> failed, java.util.function.Supplier<String> check) {
    try {
      lines.add(check.get());
    } catch (AssertionError e) {
      failed.add(e);
    } catch (ConditionTimeoutException e) { // a node that never became ready
      failed.add(new AssertionError(e.getMessage(), e));
    }
  }

  /** Part 1: the accounts, read through {@code ports}, equal the ledger; money is conserved. */
  public static String liveNodesAgree(Bank bank, List<Integer> ports) {
    // Every account converges to its ledger (credits in flight are delivered by the runtime).
    List<String> problems = new ArrayList<>();
    Map<String, JsonNode> seen = readUntilLedger(bank, ports, true, problems);
    assertEquals(List.of(), problems, "on the live nodes, " + problems.size() + " of " + bank.accounts().size()
        + " accounts did not settle to the client's ledger within " + SETTLE);
    return String.format("audit, live nodes: %d accounts equal the ledger and sum to %d", seen.size(), conserved(bank, seen));
  }

  /**
   * Part 2: the journal, read from the test JVM. No node may be running (H2 admits one process;
   * on PostgreSQL a running node could still be writing).
   */
  public static String journalAgrees(Bank bank, Database db) {
    Map<String, Long> credits = bank.creditsByAccount();
    Map<String, Set<String>> keys = bank.keysByAccount();
    Map<String, Long> steps = expectedSteps(bank);
    List<String> journaled = db.persistenceIds(ACCOUNT);
    assertEquals(bank.accounts().stream().map(a -> ACCOUNT + a).sorted().toList(), journaled,
        "the accounts journaled in " + db + " are the bank's accounts");
    // A row holds one step, or several written together (group commit); the steps' origins say what they were.
    long events = 0, rowsTotal = 0;
    for (String a : bank.accounts()) {
      List<Database.JournalRow> rows = db.journal(ACCOUNT + a);
      rowsTotal += rows.size();
      for (int i = 0; i < rows.size(); i++)
        assertEquals(i + 1, rows.get(i).seqNr(), a + ": journal sequence numbers are 1..n without gaps");
      List<StepTaken> taken = new ArrayList<>();
      for (Database.JournalRow row : rows) taken.addAll(steps(a, row));
      events += taken.size();
      Map<String, Integer> keyCount = new TreeMap<>();
      long keyless = 0;
      for (StepTaken step : taken) {
        if (step.origin() instanceof Origin.External x && x.key() != null) keyCount.merge(x.key(), 1, Integer::sum);
        else if (step.origin() instanceof Origin.Channel) keyless++;
        else throw new AssertionError(a + ": unexpected step origin " + step.origin());
      }
      List<String> notOnce = new ArrayList<>();
      keyCount.forEach((k, n) -> {
        if (n != 1) notOnce.add(k + " x" + n);
      });
      assertEquals(List.of(), notOnce, a + ": keys journaled more than once");
      Set<String> lost = new TreeSet<>(keys.get(a));
      lost.removeAll(keyCount.keySet());
      Set<String> unknown = new TreeSet<>(keyCount.keySet());
      unknown.removeAll(keys.get(a));
      assertEquals(Set.of(), lost, a + ": keys answered 200 to the client but missing from the journal");
      assertEquals(Set.of(), unknown, a + ": keys in the journal that the client never sent there");
      assertEquals((long) credits.get(a), keyless, a + ": credit steps equal the accepted transfers into it");
      assertEquals((long) steps.get(a), taken.size(), a + ": one step per key plus one per accepted credit");
    }
    return String.format("audit, journal (%s): %d steps in %d rows, each key applied once, "
        + "each accepted transfer credited once", db.kind(), events, rowsTotal);
  }

  /**
   * Part 3: a fresh node ({@code fresh-N}: new process, new working directory, a cluster of its
   * own) on the scenario's store, with {@code rsm.persistence.recover-from-snapshots = off} so that
   * every machine replays its whole journal, reads every account over HTTP; each must answer 200
   * with the ledger's balance and step count. A machine whose replay diverges from its journal
   * (outputs computed on a state that was not the journal's) fails to recover and answers 503: the
   * failure lists those answers and the node's replay-divergence log lines. No other node may be
   * running. The fresh node is killed afterwards.
   */
  public static String recoverAllOnFreshNode(Scenario scenario, Bank bank) {
    NodeProcess fresh = scenario.freshNode().set("rsm.persistence.recover-from-snapshots", "off");
    fresh.start().awaitReady(NodeCluster.START_TIMEOUT);
    long t0 = System.nanoTime();
    List<String> problems = new ArrayList<>();
    Map<String, JsonNode> seen = readUntilLedger(bank, List.of(fresh.httpPort()), false, problems);
    double took = (System.nanoTime() - t0) / 1e9;
    Set<String> divergences = fresh.distinctLogMatches(DIVERGENCE);
    fresh.kill();
    assertEquals(List.of(), problems, "on a fresh node, " + problems.size() + " of " + bank.accounts().size()
        + " accounts did not recover from the whole journal with the ledger's balance within " + SETTLE
        + "; the node logged " + (divergences.isEmpty() ? "no replay divergence" : divergences));
    conserved(bank, seen);
    return String.format("audit, fresh node %s (whole journal, no snapshots): all %d accounts recovered with the "
        + "ledger's balance and step count in %.1f s", fresh.name(), bank.accounts().size(), took);
  }

  /** Steps each account must have taken: one per key sent to it, one per accepted transfer into it. */
  private static Map<String, Long> expectedSteps(Bank bank) {
    Map<String, Long> credits = bank.creditsByAccount();
    Map<String, Set<String>> keys = bank.keysByAccount();
    Map<String, Long> steps = new HashMap<>();
    for (String a : bank.accounts()) steps.put(a, keys.get(a).size() + credits.get(a));
    return steps;
  }

  /** Only origins matter here: user values are kept as their class names, not deserialized. */
  static final JournalCodec CODEC = new JournalCodec(new JournalCodec.Payloads() {
    @Override
    public byte[] write(Object value) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Object read(String className, byte[] bytes) {
      return className;
    }
  });

  static List<StepTaken> steps(String account, Database.JournalRow row) {
    if (row.serializerId() != RsmJournalSerializer.ID)
      throw new AssertionError(account + " event #" + row.seqNr() + " has serializer " + row.serializerId());
    return switch (row.manifest()) {
      case "S" -> List.of(CODEC.step(row.payload()));
      case "B" -> CODEC.steps(row.payload()).steps();
      default -> throw new AssertionError(account + " event #" + row.seqNr() + " has manifest " + row.manifest());
    };
  }

  /**
   * Reads every account (spread over {@code ports}) until each answers 200 with the ledger's balance
   * and step count (and, if {@code settled}, nothing unacknowledged), or {@link #SETTLE} has passed.
   * Returns the last 200 answers; {@code problems} gets what still differed.
   */
  private static Map<String, JsonNode> readUntilLedger(Bank bank, List<Integer> ports, boolean settled,
      List<String> problems) {
    Map<String, Long> balances = bank.expectedBalances();
    Map<String, Long> steps = expectedSteps(bank);
    Map<String, JsonNode> views = new TreeMap<>();
    Waits.within(SETTLE, Duration.ofMillis(200), () -> {
      problems.clear();
      views.clear();
      for (int p = 0; p < ports.size(); p++) {
        List<String> share = new ArrayList<>();
        for (int i = p; i < bank.accounts().size(); i += ports.size()) share.add(bank.accounts().get(i));
        for (var e : Probe.readAll(share, ports.get(p), Duration.ofSeconds(6)).entrySet()) {
          HttpResponse<String> r = e.getValue();
          if (r == null) problems.add(e.getKey() + ": no answer from :" + ports.get(p));
          else if (r.statusCode() != 200) problems.add(e.getKey() + ": " + r.statusCode() + " " + r.body());
          else views.put(e.getKey(), HttpJson.parse(r.body()));
        }
      }
      problems.addAll(mismatches(views, balances, steps, settled));
      return problems.isEmpty();
    });
    return views;
  }

  /** Asserts that the balances sum to the deposits; returns the sum. */
  private static long conserved(Bank bank, Map<String, JsonNode> views) {
    long sum = 0;
    for (JsonNode v : views.values()) sum += v.path("state").path("balance").asLong();
    assertEquals(bank.totalDeposits(), sum, "the balances sum to the deposits");
    return sum;
  }

  private static List<String> mismatches(Map<String, JsonNode> views, Map<String, Long> balances,
      Map<String, Long> steps, boolean settled) {
    List<String> bad = new ArrayList<>();
    views.forEach((a, v) -> {
      long balance = v.path("state").path("balance").asLong();
      long seqNr = v.path("seqNr").asLong();
      long unacked = v.path("unackedOutputs").asLong();
      if (balance != balances.get(a) || seqNr != steps.get(a) || (settled && unacked != 0))
        bad.add(a + ": balance " + balance + " (ledger " + balances.get(a) + "), seqNr " + seqNr
            + " (expected " + steps.get(a) + ")" + (settled ? ", unacked " + unacked : ""));
    });
    return bad;
  }
}
