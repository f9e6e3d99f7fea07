package dev.rsm.multijvm.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rsm.persistence.internal.JournalCodec;
import dev.rsm.persistence.internal.Origin;
import dev.rsm.persistence.internal.RsmJournalSerializer;
import dev.rsm.persistence.internal.StepTaken;
import dev.rsm.persistence.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks from the outside, once the cluster is quiescent, that nothing was lost or repeated:
 *
 * <ol>
 *   <li>every account, read over HTTP, holds exactly what the client's ledger says, has no
 *       unacknowledged outputs, and has taken exactly one step per key sent to it plus one per
 *       accepted transfer into it ({@code seqNr});
 *   <li>the balances sum to the deposits (money is conserved);
 *   <li>in PostgreSQL's {@code event_journal}, decoded step by step, every key is the origin of
 *       exactly one step of its account, no other key is, and the steps from other machines
 *       (credits) are exactly the accepted transfers into the account. A key applied twice, a
 *       credit delivered twice, or a lost step would each break one of these.
 * </ol>
 */
public final class Audit {

  private Audit() {}

  /** Runs every check; returns a one-line summary. {@code ports}: nodes to read the accounts through. */
  public static String nothingLostOrRepeated(Bank bank, List<Integer> ports, Database db, Duration settle) {
    Map<String, Long> balances = bank.expectedBalances();
    Map<String, Long> credits = bank.creditsByAccount();
    Map<String, Set<String>> keys = bank.keysByAccount();
    Map<String, Long> steps = new HashMap<>();
    for (String a : bank.accounts()) steps.put(a, keys.get(a).size() + credits.get(a));

    // 1. Every account converges to its ledger (credits in flight are delivered by the runtime).
    Map<String, JsonNode> seen = Await.until("every account equal to the client's ledger, nothing unacknowledged",
        settle, () -> readAll(bank.accounts(), ports), views -> mismatches(views, balances, steps).isEmpty());
    assertEquals(List.of(), mismatches(seen, balances, steps));

    // 2. Conservation.
    long sum = 0;
    for (JsonNode v : seen.values()) sum += v.path("state").path("balance").asLong();
    assertEquals(bank.totalDeposits(), sum, "the balances sum to the deposits");

    // 3. The journal: one step per key, one step per accepted credit, nothing else. A row holds
    // one step, or several written together (group commit); the steps' origins say what they were.
    long events = 0, rowsTotal = 0;
    for (String a : bank.accounts()) {
      List<Database.JournalRow> rows = db.journal("rsm|account|" + a);
      rowsTotal += rows.size();
      for (int i = 0; i < rows.size(); i++)
        assertEquals(i + 1, rows.get(i).seqNr(), a + ": journal sequence numbers are 1..n without gaps");
      List<StepTaken> taken = new ArrayList<>();
      for (Database.JournalRow row : rows) taken.addAll(steps(a, row));
      events += taken.size();
      assertEquals((long) steps.get(a), taken.size(), a + ": one step per key plus one per accepted credit");
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
      assertEquals(keys.get(a), keyCount.keySet(), a + ": the journaled keys are exactly the keys sent");
      assertEquals((long) credits.get(a), keyless, a + ": credit steps equal the accepted transfers into it");
    }
    return String.format("audit ok: %d accounts sum to %d; %d steps in %d journal rows, each key applied once, "
        + "each accepted transfer credited once", bank.accounts().size(), sum, events, rowsTotal);
  }

  /** Only origins matter here: user values are kept as their class names, not deserialized. */
  private static final JournalCodec CODEC = new JournalCodec(new JournalCodec.Payloads() {
    @Override
    public byte[] write(Object value) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Object read(String className, byte[] bytes) {
      return className;
    }
  });

  private static List<StepTaken> steps(String account, Database.JournalRow row) {
    if (row.serializerId() != RsmJournalSerializer.ID)
      throw new AssertionError(account + " event #" + row.seqNr() + " has serializer " + row.serializerId());
    return switch (row.manifest()) {
      case "S" -> List.of(CODEC.step(row.payload()));
      case "B" -> CODEC.steps(row.payload()).steps();
      default -> throw new AssertionError(account + " event #" + row.seqNr() + " has manifest " + row.manifest());
    };
  }

  private static Map<String, JsonNode> readAll(List<String> accounts, List<Integer> ports) {
    Map<String, JsonNode> views = new TreeMap<>();
    int i = 0;
    for (String a : accounts) {
      int port = ports.get(i++ % ports.size());
      views.put(a, HttpJson.getJson(port, "/machines/account/" + a, Duration.ofSeconds(10)));
    }
    return views;
  }

  private static List<String> mismatches(Map<String, JsonNode> views, Map<String, Long> balances, Map<String, Long> steps) {
    List<String> bad = new ArrayList<>();
    views.forEach((a, v) -> {
      long balance = v.path("state").path("balance").asLong();
      long seqNr = v.path("seqNr").asLong();
      long unacked = v.path("unackedOutputs").asLong();
      if (balance != balances.get(a) || seqNr != steps.get(a) || unacked != 0)
        bad.add(a + ": balance " + balance + " (ledger " + balances.get(a) + "), seqNr " + seqNr
            + " (expected " + steps.get(a) + "), unacked " + unacked);
    });
    return bad;
  }
}
