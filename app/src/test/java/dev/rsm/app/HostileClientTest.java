package dev.rsm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.Address;
import dev.rsm.app.sample.Account;
import dev.rsm.app.testing.TestCluster;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.testing.Await;
import dev.rsm.persistence.testing.TestStores;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Hostile clients against one running node (the sample bank on a fresh H2 store), over real HTTP
 * written byte for byte on sockets, so nothing a client library would refuse or normalise is out of
 * reach. A seeded stream (seed printed; {@code -Drsm.hostile.seed=N} to vary it) interleaves
 * well-formed deposits, withdrawals and transfers on ~20 accounts, some with odd but valid ids,
 * with a few thousand malformed, oversized, oddly encoded and abusive requests, each with the exact
 * answer the HTTP routes, the strict JSON reader and the machine-id rule give it.
 *
 * <p>It proves that: every hostile request gets its 4xx (never 500 or 503) with a JSON {@code
 * {"error"}} naming no Java class; every well-formed (or odd but well-formed) request gets 200
 * with the exact reply a client-side ledger predicts; afterwards no machine is stuck (each answers
 * and takes a new keyed deposit), balances and the sum of money match the ledger, each journal
 * holds exactly the steps the ledger predicts (its seqNr), a replayed key returns the recorded
 * reply marked {@code Idempotent-Replayed}; and a fresh node on the same store recovers every
 * account to the same state and seqNr.
 *
 * <p>Every deviation is collected (grouped, with the request and the response) and the test fails
 * at the end listing them all. Cases marked BUG were found by this test and are asserted as they
 * should be.
 */
class HostileClientTest {
  static final long SEED = Long.getLong("rsm.hostile.seed", 20261202L);
  static final int ITERATIONS = Integer.getInteger("rsm.hostile.iterations", 2400);
  static final int MAX_BODY = 64 * 1024; // rsm.http.max-body, reference.conf default
  static final int MAX_URI = 2048; // pekko.http.parsing.max-uri-length default
  static final String RULE =
      "a machine id is 1 to 180 characters, without whitespace, control characters, unpaired surrogates or U+FFFD";
  static final String KEY_RULE = "Idempotency-Key must be 1 to 255 non-blank characters";
  static final String NOT_OBJECT = "the body must be a JSON object with the input's name in \\\"type\\\"";
  static final MachineRegistry TYPES = MachineRegistry.of(Account.TYPE);
  // Snapshots every 20 rows, so the recovery at the end starts from snapshots, not only from rows.
  static final Config EXTRA = ConfigFactory.parseString("rsm.persistence.snapshot-every = 20");
  static final ObjectMapper M = new ObjectMapper();

  /** The ledger's accounts: plain ids and odd ones that obey the id rule. */
  static final List<String> ACCOUNTS = List.of(
      "acct-00", "acct-01", "acct-02", "acct-03", "acct-04", "acct-05", "acct-06", "acct-07",
      "acct-08", "acct-09", "acct-10", "acct-11",
      "\u00fcn\u00efc\u00f8d\u00e9",           // Latin-1 letters
      "\ud83d\ude00-emoji",                    // a surrogate pair, paired
      "rtl\u200fmark\u202e",                   // right-to-left mark and override (format characters)
      "a/b",                                   // a slash, %2F in the path: one segment
      "zw\u200bsp\ufeff",                      // zero-width space and BOM (format, not whitespace)
      "pct%25|pipe",                           // a percent sign and the persistence id's separator
      "q?h#s;c:@+",                            // URI delimiters, all percent-encoded
      "x".repeat(180));                        // the longest valid id

  int port;
  final AtomicInteger requests = new AtomicInteger();
  final Ledger ledger = new Ledger();
  final Set<String> touched = new LinkedHashSet<>(); // accounts outside the ledger that requests changed
  final Map<String, Violation> violations = new TreeMap<>();
  final Map<String, Integer> perCategory = new TreeMap<>();
  int keySeq;

  @Test
  void hostileClientsChangeNothingAndEveryWellFormedRequestIsAnsweredAsTheLedgerPredicts() throws Exception {
    System.out.println("HostileClientTest seed = " + SEED + " (rerun with -Drsm.hostile.seed=" + SEED + ")");
    long t0 = System.nanoTime();
    for (String a : ACCOUNTS) assertNull(Address.idProblem(a), a); // the premise: every ledger id is valid
    try {
      run(t0);
    } finally {
      System.out.printf("HostileClientTest: seed %d, %d requests, %d ms, per category %s%n",
          SEED, requests.get(), (System.nanoTime() - t0) / 1_000_000, perCategory);
      if (!violations.isEmpty()) {
        StringBuilder b = new StringBuilder(violations.size() + " kinds of wrong answers (seed " + SEED + "):\n");
        violations.values().forEach(v -> b.append(v).append('\n'));
        System.out.println(b);
        fail(b.toString());
      }
    }
  }

  void run(long t0) {
    Config store = TestStores.fresh(TestStores.H2);
    Map<String, JsonNode> before = new LinkedHashMap<>();
    try (TestCluster cluster = new TestCluster(store, TYPES, EXTRA)) {
      port = cluster.start().httpPort();
      Random r = new Random(SEED);
      for (String a : ACCOUNTS) ledgerOp("seed", a, "deposit", 1000 + r.nextInt(1000), null, key());
      requestsThatWouldChangeStateWrongly();
      for (int i = 0; i < ITERATIONS; i++) {
        if (i % 200 == 100) storm(r);
        int dice = r.nextInt(100);
        if (dice < 24) randomLedgerOp(r);
        else if (dice < 50) jsonFuzz(r);
        else if (dice < 63) idFuzz(r);
        else if (dice < 74) headerFuzz(r);
        else if (dice < 82) invalidTo(r);
        else if (dice < 87) methodsAndProtocol(r);
        else oddButValid(r);
      }
      long hostileDone = System.nanoTime();
      System.out.printf("hostile phase: %d requests in %d ms%n", requests.get(), (hostileDone - t0) / 1_000_000);

      // The node is alive and no machine is stuck: every ledger account settles to the ledger's
      // balance and journal length, with its outputs acknowledged.
      for (String a : ACCOUNTS) {
        settle(a);
        Await.until(a + " acknowledges its outputs", Duration.ofSeconds(10), () -> read(a),
            r2 -> r2.status == 200 && json(r2.body).path("unackedOutputs").asInt(-1) == 0);
      }
      // Money is conserved: the sum of balances is what came in minus what went out.
      long sum = 0;
      for (String a : ACCOUNTS) sum += json(read(a).body).path("state").path("balance").asLong();
      assertEquals(ledger.deposited - ledger.withdrawn, sum, "sum of balances");
      // Every recorded key replays its recorded reply, marked, and handles nothing again.
      for (Ledger.Keyed k : ledger.keyed) {
        Resp replay = send(post(path(k.account()), k.body()).key(k.key()));
        if (replay.status != 200 || !replay.body.equals(k.reply()) || !"true".equals(replay.header("idempotent-replayed")))
          violation("REPLAY", "ledger", "a replayed key must return the recorded reply " + k.reply() + " with Idempotent-Replayed: true",
              post(path(k.account()), k.body()).key(k.key()), replay);
      }
      for (String a : ACCOUNTS) settle(a, true);
      // Each takes new work: a fresh keyed deposit, its reply as the ledger predicts.
      for (String a : ACCOUNTS) ledgerOp("final", a, "deposit", 7, null, key());
      for (String a : touched) {
        Resp g = Await.until(a + " answers", Duration.ofSeconds(5), () -> read(a), x -> x.status == 200);
        Req q = post(path(a), "{\"type\":\"deposit\",\"amount\":1}").key(key());
        Resp d = send(q);
        if (d.status != 200 || !json(d.body).path("accepted").isBoolean())
          violation("STUCK", "final", "a touched account must handle a new deposit", q, d);
        assertNotNull(g);
      }
      for (String a : ACCOUNTS) settle(a, true);
      for (String a : concat(ACCOUNTS, touched)) {
        JsonNode v = json(Await.until(a + " answers", Duration.ofSeconds(5), () -> read(a), x -> x.status == 200).body);
        before.put(a, v);
      }
      System.out.printf("audit done: %d requests, %d ms%n", requests.get(), (System.nanoTime() - t0) / 1_000_000);
    }

    // A fresh node on the same store recovers every account from its journal (and snapshots).
    try (TestCluster fresh = new TestCluster(store, TYPES, EXTRA)) {
      port = fresh.start().httpPort();
      for (Map.Entry<String, JsonNode> e : before.entrySet()) {
        String a = e.getKey();
        JsonNode after = json(Await.until(a + " recovers", Duration.ofSeconds(30), () -> read(a), x -> x.status == 200).body);
        assertEquals(e.getValue().path("state"), after.path("state"), a + " state after recovery");
        assertEquals(e.getValue().path("seqNr"), after.path("seqNr"), a + " seqNr after recovery");
      }
      // Recorded keys survive recovery: the first and last few replay their replies.
      List<Ledger.Keyed> keys = ledger.keyed;
      for (Ledger.Keyed k : concat(keys.subList(0, 10), keys.subList(keys.size() - 10, keys.size()))) {
        Resp replay = send(post(path(k.account()), k.body()).key(k.key()));
        assertEquals(200, replay.status, replay.body);
        assertEquals(k.reply(), replay.body);
        assertEquals("true", replay.header("idempotent-replayed"));
      }
      for (String a : ACCOUNTS)
        assertEquals(ledger.steps.get(a), json(read(a).body).path("seqNr").asInt(), a + " seqNr after replays on the fresh node");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The ledger: well-formed requests and the replies the sample gives them.

  static final class Ledger {
    final Map<String, Long> balance = new LinkedHashMap<>();
    final Map<String, Integer> steps = new HashMap<>();
    final Map<String, Integer> pendingCredits = new HashMap<>();
    long deposited;
    long withdrawn;
    final List<Keyed> keyed = new ArrayList<>();

    record Keyed(String account, String key, String body, String reply) {}

    Ledger() {
      for (String a : ACCOUNTS) {
        balance.put(a, 0L);
        steps.put(a, 0);
      }
    }

    /** Takes one step of {@code a} as Account does, and returns its reply. */
    String apply(String a, String type, long amount, String to) {
      long b = balance.get(a);
      boolean ok = switch (type) {
        case "deposit" -> amount > 0;
        case "withdraw" -> amount > 0 && amount <= b;
        case "transfer" -> amount > 0 && amount <= b && !to.equals(a);
        default -> throw new IllegalArgumentException(type);
      };
      steps.merge(a, 1, Integer::sum);
      if (ok) {
        switch (type) {
          case "deposit" -> { b += amount; deposited += amount; }
          case "withdraw" -> { b -= amount; withdrawn += amount; }
          default -> {
            assertTrue(balance.containsKey(to), "transfers stay within the ledger: " + to);
            b -= amount;
            balance.merge(to, amount, Long::sum);
            steps.merge(to, 1, Integer::sum);
            pendingCredits.merge(to, 1, Integer::sum);
          }
        }
        balance.put(a, b);
      }
      return "{\"accepted\":" + ok + ",\"balance\":" + b + "}";
    }
  }

  String key() {
    return "L-" + (++keySeq);
  }

  String pick(Random r) {
    return ACCOUNTS.get(r.nextInt(ACCOUNTS.size()));
  }

  /** Waits until {@code a} shows every credit sent to it: its balance and seqNr as the ledger says. */
  void settle(String a) {
    settle(a, false);
  }

  void settle(String a, boolean always) {
    if (!always && ledger.pendingCredits.getOrDefault(a, 0) == 0) return;
    long b = ledger.balance.get(a);
    int s = ledger.steps.get(a);
    Await.until(a + " at balance " + b + " and seqNr " + s, Duration.ofSeconds(10), () -> read(a), x -> {
      if (x.status != 200) return false;
      JsonNode n = json(x.body);
      return n.path("state").path("balance").asLong() == b && n.path("seqNr").asInt() == s;
    });
    ledger.pendingCredits.put(a, 0);
  }

  static String body(String type, long amount, String to) {
    try {
      return type.equals("transfer")
          ? "{\"type\":\"transfer\",\"to\":" + M.writeValueAsString(to) + ",\"amount\":" + amount + "}"
          : "{\"type\":\"" + type + "\",\"amount\":" + amount + "}";
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A well-formed request: 200 with the reply the ledger predicts. */
  void ledgerOp(String category, String a, String type, long amount, String to, String key) {
    ledgerOp(category, type, a, type, amount, to, post(path(a), body(type, amount, to)).key(key));
  }

  /** {@code req} is well formed (perhaps oddly) and means this step: 200 with the predicted reply. */
  void ledgerOp(String category, String what, String a, String type, long amount, String to, Req req) {
    settle(a);
    String reply = ledger.apply(a, type, amount, to);
    Resp resp = send(category, req);
    if (resp.status != 200 || !resp.body.equals(reply) || resp.header("idempotent-replayed") != null
        || !"application/json".equals(resp.header("content-type")))
      violation("WELL-FORMED", category, what + ": expected 200 " + reply, req, resp);
    else if (req.key != null) ledger.keyed.add(new Ledger.Keyed(a, req.key, new String(req.body, StandardCharsets.UTF_8), reply));
  }

  void randomLedgerOp(Random r) {
    String a = pick(r);
    settle(a);
    long bal = ledger.balance.get(a);
    int kind = r.nextInt(10);
    String key = r.nextInt(5) == 0 ? null : key();
    if (kind < 4) ledgerOp("ledger", a, "deposit", 1 + r.nextInt(500), null, key);
    else if (kind < 6) ledgerOp("ledger", a, "withdraw", amount(r, bal), null, key);
    else {
      String to = r.nextInt(15) == 0 ? a : pick(r); // now and then to itself: refused, a step all the same
      ledgerOp("ledger", a, "transfer", amount(r, bal), to, key);
    }
  }

  /** Mostly an amount that leaves at least 1 (so invalid sends always get past the balance check); sometimes too much. */
  static long amount(Random r, long bal) {
    if (r.nextInt(6) == 0 || bal <= 1) return bal + 1 + r.nextInt(100);
    return 1 + r.nextInt((int) Math.min(bal - 1, 300));
  }

  // ---------------------------------------------------------------------------------------------
  // Hostile traffic, per category.

  static final String[] NOT_OBJECTS = {"[]", "[{\"type\":\"deposit\",\"amount\":1}]", "1", "-0", "1e400", "\"deposit\"",
      "null", "true", "false", "\"\"", " ", "", "\r\n\t ", "[[[]]]", "99999999999999999999999"};
  static final String[] BAD_TYPES = {"{\"amount\":1}", "{\"type\":5,\"amount\":1}", "{\"type\":null,\"amount\":1}",
      "{\"type\":[\"deposit\"],\"amount\":1}", "{\"type\":{\"name\":\"deposit\"},\"amount\":1}", "{\"type\":true,\"amount\":1}",
      "{\"type\":\"Deposit\",\"amount\":1}", "{\"type\":\"deposit \",\"amount\":1}", "{\"type\":\" deposit\",\"amount\":1}",
      "{\"type\":\"\",\"amount\":1}", "{\"TYPE\":\"deposit\",\"amount\":1}", "{\"type\":\"steal\",\"amount\":1}",
      "{\"type\":\"deposit\\u0000\",\"amount\":1}", "{\"type\":\"dep\\u200bosit\",\"amount\":1}", "{}"};
  static final String[] BAD_NUMBERS = {"1e400", "-1e400", "99999999999999999999999", "9223372036854775808",
      "-9223372036854775809", "1.5", "2.0", "1e2", "1E0", "-0.0", "0.0", "NaN", "Infinity", "-Infinity", "0x10", "012", "+1",
      ".5", "5.", "1e", "--1", "9".repeat(1001), "1" + "0".repeat(400), "\"5\"", "\"\"", "\"NaN\"", "true", "false", "null",
      "[]", "[5]", "{}", "{\"value\":5}", "\"1e3\"", "1_000"};
  static final String[] ODD_STRINGS = {"\\ud800", "\\udfff", "a\\ud800b", "\\udc00\\ud800", "\\u0000", "\\u200f", "\\u202e",
      "\\ufeff", "\\uffff", "\\ufffe", "\u200f\u202eevil", "\ud83d\ude00", "\\ud83d\\ude00", "\u0301", "e\u0301", "\u00ad",
      "\\u2028", "\\u0085", "\u4e2d\u6587"};
  static final byte[][] BAD_UTF8 = {{(byte) 0xC0, (byte) 0x80}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xE0, (byte) 0x80, (byte) 0xAF},
      {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xED, (byte) 0xBF, (byte) 0xBF}, {(byte) 0xFF}, {(byte) 0xFE, (byte) 0xFF},
      {(byte) 0x80}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}};
  static final String[] SYNTAX_JUNK = {"{\"type\":\"deposit\",\"amount\":1,}", "{\"type\":\"deposit\" \"amount\":1}",
      "{\"type\":\"deposit\",\"amount\":1} x", "{\"type\":\"deposit\",\"amount\":1}{}", "{\"type\":\"deposit\",\"amount\":1}]",
      "\ufeff{\"type\":\"deposit\",\"amount\":1}", "{\"type\":\"deposit\",/*c*/\"amount\":1}", "{\"type\":\"deposit\",\"amount\":1}//c",
      "{'type':'deposit','amount':1}", "{type:\"deposit\",amount:1}", "{\"type\":\"deposit\u0001\",\"amount\":1}",
      "{\"type\":\"deposit\",\"amount\":1", "{\"type\"=\"deposit\",\"amount\"=1}", "{\"type\":\"deposit\\x41\",\"amount\":1}",
      "{\"type\":\"deposit\\u12\",\"amount\":1}", "{\"type\":\"deposit,\"amount\":1}", "{\"type\":\"deposit\",\"amount\":1}\u0000",
      "{\"type\":\"deposit\"\n,\"amount\":01}", "\"{\\\"type\\\":\\\"deposit\\\",\\\"amount\\\":1}\""};

  void jsonFuzz(Random r) {
    String a = pick(r);
    String c = "json";
    String valid = validBody(r, a);
    switch (r.nextInt(13)) {
      case 0 -> { // truncated: every proper prefix of an object is malformed (or empty)
        String b = valid.substring(0, r.nextInt(valid.length()));
        rejected(c, "truncated body", post(path(a), b).maybeKey(r, this), 400, b.isBlank() ? NOT_OBJECT : "malformed JSON");
      }
      case 1 -> {
        String b = NOT_OBJECTS[r.nextInt(NOT_OBJECTS.length)];
        rejected(c, "a JSON value that is not an object", post(path(a), b).maybeKey(r, this), 400, NOT_OBJECT);
      }
      case 2 -> rejected(c, "a missing, mistyped or unknown \"type\"", post(path(a), BAD_TYPES[r.nextInt(BAD_TYPES.length)])
          .maybeKey(r, this), 400, "type");
      case 3 -> {
        String n = BAD_NUMBERS[r.nextInt(BAD_NUMBERS.length)];
        rejected(c, "an amount that is not a long", post(path(a), withAmount(r, n)).maybeKey(r, this), 400, null);
      }
      case 4 -> { // deep nesting, at the top, inside the amount or inside an extra field
        int depth = new int[] {999, 1001, 5000, 10_000}[r.nextInt(4)];
        boolean arrays = r.nextBoolean();
        String nest = arrays ? "[".repeat(depth) + "]".repeat(depth) : "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
        String b = switch (r.nextInt(3)) {
          case 0 -> nest;
          case 1 -> "{\"type\":\"deposit\",\"amount\":" + nest + "}";
          default -> "{\"type\":\"deposit\",\"amount\":1,\"x\":" + nest + "}";
        };
        rejected(c, "nested " + (depth > 1000 ? "beyond" : "within") + " the depth limit", post(path(a), b).maybeKey(r, this), 400, null);
      }
      case 5 -> { // odd Unicode in the type's name
        String s = ODD_STRINGS[r.nextInt(ODD_STRINGS.length)];
        rejected(c, "odd unicode as the input's type", post(path(a), "{\"type\":\"" + s + "\",\"amount\":1}").maybeKey(r, this),
            400, "unknown input type");
      }
      case 6 -> { // an unknown extra field, odd names and values included
        String name = r.nextBoolean() ? "bonus" : ODD_STRINGS[r.nextInt(ODD_STRINGS.length)];
        String value = new String[] {"1", "\"x\"", "null", "[]", "{}", "\"" + ODD_STRINGS[r.nextInt(ODD_STRINGS.length)] + "\""}[r.nextInt(6)];
        String b = valid.substring(0, valid.length() - 1) + ",\"" + name + "\":" + value + "}";
        // The 400 names the field and the input's fields, not its class (Jackson's message did).
        rejected(c, "an unknown extra field", post(path(a), b).maybeKey(r, this), 400, "unknown field");
      }
      case 7 -> { // long strings: within max-body they are echoed or refused as fields; beyond it 413
        int len = new int[] {1000, 30_000, MAX_BODY - 100, MAX_BODY, MAX_BODY + 1, 200_000, 1_000_000}[r.nextInt(7)];
        String b = r.nextBoolean() ? "{\"type\":\"" + "d".repeat(len) + "\",\"amount\":1}" : valid.substring(0, valid.length() - 1)
            + ",\"pad\":\"" + "p".repeat(len) + "\"}";
        if (b.length() > MAX_BODY) rejected(c, "a body over max-body", post(path(a), b).maybeKey(r, this), 413, "rsm.http.max-body");
        else rejected(c, "a long string within max-body", post(path(a), b).maybeKey(r, this), 400, null);
      }
      case 8 -> rejected(c, "an empty body", post(path(a), r.nextBoolean() ? "" : "  \n").maybeKey(r, this), 400, NOT_OBJECT);
      case 9 -> rejected(c, "JSON syntax errors", post(path(a), SYNTAX_JUNK[r.nextInt(SYNTAX_JUNK.length)]).maybeKey(r, this), 400, null);
      case 10 -> { // printable garbage without quotes after a brace: never a valid input
        StringBuilder b = new StringBuilder("{");
        for (int i = r.nextInt(200); i > 0; i--) b.append("{}[]:,0123456789abcdefnulltrue -.eE\\".charAt(r.nextInt(35)));
        rejected(c, "random garbage", post(path(a), b.toString()).maybeKey(r, this), 400, null);
      }
      case 11 -> { // bytes that are not UTF-8, in the type, a field name, or outside strings
        byte[] bad = BAD_UTF8[r.nextInt(BAD_UTF8.length)];
        byte[] b = switch (r.nextInt(3)) {
          case 0 -> cat("{\"type\":\"".getBytes(StandardCharsets.UTF_8), bad, "\",\"amount\":1}".getBytes(StandardCharsets.UTF_8));
          case 1 -> cat("{\"type\":\"deposit\",\"amount\":1,\"".getBytes(StandardCharsets.UTF_8), bad, "\":1}".getBytes(StandardCharsets.UTF_8));
          default -> cat("{\"type\":\"deposit\",\"amount\":1".getBytes(StandardCharsets.UTF_8), bad, "}".getBytes(StandardCharsets.UTF_8));
        };
        rejected(c, "bytes that are not UTF-8", post(path(a), "").body(b).maybeKey(r, this), 400, null);
      }
      default -> { // a Content-Length shorter than the body: the body is cut, so malformed
        byte[] b = valid.getBytes(StandardCharsets.UTF_8);
        Req req = post(path(a), valid).contentLength(1 + r.nextInt(b.length - 1));
        rejected(c, "a Content-Length shorter than the body", req, 400, "malformed JSON");
      }
    }
  }

  /** A well-formed input for {@code a}, for fuzzing (never sent as is). */
  String validBody(Random r, String a) {
    return switch (r.nextInt(3)) {
      case 0 -> body("deposit", 1 + r.nextInt(9), null);
      case 1 -> body("withdraw", 1 + r.nextInt(9), null);
      default -> body("transfer", 1 + r.nextInt(9), pick(r));
    };
  }

  String withAmount(Random r, String amount) {
    return switch (r.nextInt(3)) {
      case 0 -> "{\"type\":\"deposit\",\"amount\":" + amount + "}";
      case 1 -> "{\"type\":\"withdraw\",\"amount\":" + amount + "}";
      default -> "{\"type\":\"transfer\",\"to\":\"acct-01\",\"amount\":" + amount + "}";
    };
  }

  static final String[] BAD_ID_CHARS = {"%20", "%09", "%0A", "%0D", "%00", "%01", "%1F", "%7F", "%C2%80", "%C2%85", "%C2%9F",
      "%C2%A0", "%E2%80%A8", "%E2%80%A9", "%E3%80%80", "%E1%9A%80", "%E2%80%87", "%E2%80%AF", "%0B", "%0C", "%1C"};
  /** Percent-encoded bytes that are not UTF-8 (a lone surrogate in CESU/WTF-8 form, overlong forms, stray bytes). */
  static final String[] BAD_ID_BYTES = {"%ED%A0%80", "%ED%BF%BF", "%ED%B0%80", "%ED%A0%BD%ED%B8%80", "%FF", "%C0%80", "%C0%AF",
      "%80", "%F8%88%80%80%80"};

  void idFuzz(Random r) {
    String c = "id";
    boolean get = r.nextBoolean();
    String base = "v" + r.nextInt(1000);
    switch (r.nextInt(9)) {
      case 0 -> { // too long, but the URI within Pekko's limit: the id rule
        String id = r.nextBoolean() ? "x".repeat(181 + r.nextInt(1800)) : "\ud83d\ude00".repeat(91 + r.nextInt(40));
        rejected(c, "an id over 180 characters", idReq(get, pct(id), r), 400, RULE);
      }
      case 1 -> { // the URI itself too long: Pekko answers before the routes
        String id = "x".repeat(r.nextBoolean() ? 10_000 : MAX_URI + r.nextInt(3000));
        protocolRejected(c, "a URI over max-uri-length", idReq(get, id, r), 414);
      }
      case 2 -> { // whitespace or a control character, percent-encoded, somewhere in the id
        String bad = BAD_ID_CHARS[r.nextInt(BAD_ID_CHARS.length)];
        int at = r.nextInt(base.length() + 1);
        rejected(c, "whitespace or a control character in the id", idReq(get, base.substring(0, at) + bad + base.substring(at), r), 400, RULE);
      }
      case 3 -> { // bytes that are not UTF-8: the path decoder turns them into U+FFFD, which no id may
        // hold, so the request is refused instead of addressing machine "\ufffd..." (a client that
        // meant a lone surrogate, %ED%A0%80, would get another machine).
        String bad = BAD_ID_BYTES[r.nextInt(BAD_ID_BYTES.length)];
        rejected(c, "percent-encoded bytes that are not UTF-8 in the id", idReq(true, r.nextBoolean() ? bad : base + bad, r), 400, null);
      }
      case 4 -> { // empty ids, extra or missing segments, dot segments that leave no id
        String p = new String[] {"/machines/account/", "/machines/account//x", "/machines/account/" + base + "/",
            "/machines/account/" + base + "/extra", "/machines/account/.", "/machines/account/..", "/machines/account/%2E%2E",
            "/machines/account/%2e", "/machines/", "/machines", "/", "/machines/account", "/machines//" + base, "/machines/account/./"}[r.nextInt(14)];
        rejected(c, "no id in the path", (get ? get(p) : post(p, "{\"type\":\"deposit\",\"amount\":1}")).maybeKey(r, this),
            404, "could not be found");
      }
      case 5 -> { // an unknown machine type, odd ones included
        String t = new String[] {"nope", "Account", "account%00", "%ED%A0%80", "accounts", "account%20", "..%2Faccount", "%F0%9F%98%80"}[r.nextInt(8)];
        rejected(c, "an unknown machine type", get ? get("/machines/" + t + "/" + base) : post("/machines/" + t + "/" + base,
            "{\"type\":\"deposit\",\"amount\":1}"), 404, "unknown machine type");
      }
      case 6 -> { // not a URI: raw bytes, bad escapes, a fragment
        String target = new String[] {"/machines/account/%G1", "/machines/account/%", "/machines/account/%4", "/machines/account/a#b",
            "/machines/account/\u00fc", "/machines/account/a\"b", "/machines/account/a<b>", "/machines/account/a{b}",
            "/machines/account/a\\b", "/machines/account/a|b^"}[r.nextInt(10)];
        protocolRejected(c, "a request target that is not a URI", idReq(get, target.substring("/machines/account/".length()), r), 400);
      }
      case 7 -> { // a read of a valid, odd, never-written id: a fresh machine, nothing journaled
        String id = new String[] {"\u00e9t\u00e9", "\ud83d\udca9", "\u05e9\u05dc\u05d5\u05dd", "a\u200fb", "\u0301", "~!$&'()*,=",
            "\ud83d\ude00".repeat(90), "y".repeat(180), "%", "."+"x", "nul\u2400"}[r.nextInt(11)];
        assertNull(Address.idProblem(id), id);
        Req q = get(path(id));
        Resp resp = send(c, q);
        check(c, "a read of a fresh valid odd id", q, resp, 200, null);
        if (resp.status == 200) {
          JsonNode n = json(resp.body);
          if (!n.path("id").asText().equals(id) || n.path("seqNr").asInt(-1) != 0 || n.path("state").path("balance").asLong(-1) != 0)
            violation("WRONG-STATE", c, "a fresh odd id reads as itself with seqNr 0", q, resp);
        }
      }
      default -> { // dot segments are resolved: these address a ledger account and read its state
        String a = pick(r);
        String p = new String[] {"/machines/account/../account/", "/machines/./account/", "/machines/account/x/../",
            "/machines/account/%2E/"}[r.nextInt(4)] + pct(a);
        settle(a, true);
        Req q = get(p);
        Resp resp = send(c, q);
        if (resp.status != 200 || json(resp.body).path("seqNr").asInt(-1) != ledger.steps.get(a)
            || json(resp.body).path("state").path("balance").asLong(-1) != ledger.balance.get(a))
          violation("WRONG-STATE", c, "a path with dot segments reads the account it resolves to", q, resp);
      }
    }
  }

  Req idReq(boolean get, String encodedId, Random r) {
    String p = "/machines/account/" + encodedId;
    return get ? get(p) : post(p, "{\"type\":\"deposit\",\"amount\":1}").maybeKey(r, this);
  }

  void headerFuzz(Random r) {
    String c = "header";
    String a = pick(r);
    String b = "{\"type\":\"deposit\",\"amount\":1}";
    switch (r.nextInt(8)) {
      case 0 -> {
        String k = new String[] {"", " ", "\t", "   \t "}[r.nextInt(4)];
        rejected(c, "a blank Idempotency-Key", post(path(a), b).key(k), 400, KEY_RULE);
      }
      case 1 -> {
        int len = 256 + r.nextInt(7900);
        rejected(c, "an Idempotency-Key over 255 characters", post(path(a), b).key("k".repeat(len)), 400, KEY_RULE);
      }
      case 2 -> protocolRejected(c, "a header value over Pekko's limit", post(path(a), b).key("k".repeat(8193 + r.nextInt(5000))), 431);
      case 3 -> { // a key reused with a different input: 422, and the first reply is not given out
        Ledger.Keyed k = someKey(r, a);
        if (k == null) return;
        String other = r.nextBoolean() ? "{\"type\":\"deposit\",\"amount\":" + (100_000 + r.nextInt(1000)) + "}"
            : "{\"type\":\"withdraw\",\"amount\":1}";
        if (other.equals(k.body())) return;
        Req q = post(path(k.account()), other).key(k.key());
        Resp resp = send(c, q);
        check(c, "a key reused with a different input", q, resp, 422, "was used before with a different request");
      }
      case 4 -> { // a control character in a header value: Pekko refuses the request
        String k = "k" + new String[] {"\u0001", "\u0000", "\u001b[31m", "\u000b"}[r.nextInt(4)] + "x";
        protocolRejected(c, "a control character in a header", post(path(a), b).key(k), 400);
      }
      case 5 -> { // too many headers
        Req q = post(path(a), b);
        for (int i = 70 + r.nextInt(500); i > 0; i--) q.header("X-H" + i, "v");
        protocolRejected(c, "more headers than Pekko's limit", q, 400);
      }
      case 6 -> { // request smuggling shapes and broken framing
        byte[] body = b.getBytes(StandardCharsets.UTF_8);
        Req q = post(path(a), b);
        switch (r.nextInt(4)) {
          case 0 -> q.header("Transfer-Encoding", "chunked");
          case 1 -> q.header("Content-Length", Integer.toString(body.length - 3)); // two that disagree
          case 2 -> q.contentLengthText("-1");
          default -> q.contentLengthText("99999999999999999999");
        }
        protocolRejected(c, "conflicting or impossible body framing", q, 400);
      }
      default -> { // no Host header (HTTP/1.1 requires one)
        Req q = get(path(a)).noHost();
        protocolRejected(c, "no Host header", q, 400);
      }
    }
  }

  Ledger.Keyed someKey(Random r, String a) {
    List<Ledger.Keyed> ks = ledger.keyed;
    if (ks.isEmpty()) return null;
    return ks.get(r.nextInt(ks.size()));
  }

  static final String[] INVALID_TO = {"", " ", "a b", " lead", "trail ", "\\t", "a\\nb", "\\u0000", "\\u007f", "\\u0085",
      "\\u2028", "\\u00a0", "\\u3000", "\\ud800", "\\udfff", "a\\ud800b", "\\udc00\\ud800", "\\ud83d", "x\\u0001"};

  void invalidTo(Random r) {
    String c = "invalid-to";
    String a = pick(r);
    settle(a);
    int kind = r.nextInt(10);
    String key = r.nextBoolean() ? key() : null;
    if (kind < 6) {
      String to = r.nextInt(4) == 0 ? "z".repeat(181 + r.nextInt(r.nextBoolean() ? 100 : 20_000)) : INVALID_TO[r.nextInt(INVALID_TO.length)];
      Req q = post(path(a), "{\"type\":\"transfer\",\"to\":\"" + to + "\",\"amount\":1}").key(key);
      rejected(c, "a transfer to an invalid id", q, 400, "sends to an invalid address");
    } else if (kind < 9) {
      String to = new String[] {"5", "[\"acct-01\"]", "{\"id\":\"acct-01\"}", "true", "1e2"}[r.nextInt(5)];
      Req q = post(path(a), "{\"type\":\"transfer\",\"to\":" + to + ",\"amount\":1}").key(key);
      rejected(c, "a transfer whose \"to\" is not a string", q, 400, "'to'");
    } else {
      // A null field is refused like a missing one, before a handler could trip over it (a
      // NullPointerException would be a 500, or a journaled refusal).
      Req q = post(path(a), "{\"type\":\"transfer\",\"to\":null,\"amount\":1}").key(key);
      rejected(c, "a transfer to null", q, 400, "'to'");
    }
    // The refused request poisoned nothing: its key is free for a new request, which is handled.
    if (key != null && r.nextBoolean()) ledgerOp(c, "a new request with the refused request's key", a, "deposit", 3, null,
        post(path(a), body("deposit", 3, null)).key(key));
  }

  void methodsAndProtocol(Random r) {
    String c = "protocol";
    String a = pick(r);
    String b = "{\"type\":\"deposit\",\"amount\":1}";
    switch (r.nextInt(6)) {
      case 0 -> {
        String m = new String[] {"PUT", "DELETE", "PATCH", "OPTIONS"}[r.nextInt(4)];
        rejected(c, "an unsupported method", new Req(m, path(a)).body(b), 405, "method not allowed");
      }
      case 1 -> {
        Req q = new Req("HEAD", path(a));
        Resp resp = send(c, q);
        if (resp.status != 405 || !resp.body.isEmpty()) violation("STATUS", c, "HEAD: 405 without a body", q, resp);
      }
      case 2 -> { // an unknown method token: 501 is what HTTP prescribes (RFC 9110, 9.1)
        String m = new String[] {"FOO", "get", "BREW", "\u0001\u0002"}[r.nextInt(4)];
        protocolRejected(c, "an unknown method", new Req(m, path(a)), 501);
      }
      case 3 -> { // chunked over max-body: streamed, so the limit strikes while reading
        // Pekko rejects it as malformed content caused by the size limit: still the max-body 413.
        String big = "{\"type\":\"deposit\",\"amount\":1,\"pad\":\"" + "p".repeat(MAX_BODY + r.nextInt(100_000)) + "\"}";
        rejected(c, "a chunked body over max-body", post(path(a), big).chunked(), 413, "rsm.http.max-body");
      }
      case 4 -> protocolRejected(c, "HTTP/1.0 without Host", get(path(a)).noHost().version("HTTP/1.0"), 400);
      default -> { // a space in the target: the rest is read as the protocol version
        protocolRejected(c, "a raw space in the target", get("/machines/account/a b"), 505);
      }
    }
  }

  /** Requests that look odd but are well formed: 200 with the reply the ledger predicts. */
  void oddButValid(Random r) {
    String c = "odd-valid";
    String a = pick(r);
    settle(a);
    long bal = ledger.balance.get(a);
    long n = 1 + r.nextInt(50);
    switch (r.nextInt(17)) {
      case 0 -> ledgerOp(c, "a duplicate field: the last one counts", a, "deposit", n, null,
          post(path(a), "{\"type\":\"deposit\",\"amount\":" + (n + 1000) + ",\"amount\":" + n + "}").key(key()));
      case 1 -> ledgerOp(c, "a duplicate type: the last one counts", a, "deposit", n, null,
          post(path(a), "{\"type\":\"withdraw\",\"type\":\"deposit\",\"amount\":" + n + "}").key(key()));
      case 2 -> { // zero and negative amounts are inputs the sample refuses: 200, accepted false, a step
        String type = new String[] {"deposit", "withdraw", "transfer"}[r.nextInt(3)];
        String amount = new String[] {"0", "-0", "-1", "-9223372036854775808"}[r.nextInt(4)];
        long v = Long.parseLong(amount);
        String to = pick(r);
        String b = type.equals("transfer") ? "{\"type\":\"transfer\",\"to\":" + jsonString(to) + ",\"amount\":" + amount + "}"
            : "{\"type\":\"" + type + "\",\"amount\":" + amount + "}";
        ledgerOp(c, "a zero or negative amount", a, type, v, to, post(path(a), b).key(key()));
      }
      case 3 -> { // every string \\u-escaped, fields reordered, whitespace everywhere
        String to = pick(r);
        long amt = amount(r, bal);
        String b = " {\n \"amount\" :\t" + amt + " ,\r\n \"to\" : \"" + uEscape(to) + "\" , \"type\":\"\\u0074ransfer\" } \n";
        ledgerOp(c, "escaped strings, reordered fields, whitespace", a, "transfer", amt, to, post(path(a), b).key(key()));
      }
      case 4 -> { // a body of exactly max-body bytes
        String b = body("deposit", n, null);
        ledgerOp(c, "a body of exactly max-body bytes", a, "deposit", n, null, post(path(a), b + " ".repeat(MAX_BODY - b.length())).key(key()));
      }
      case 5 -> { // the Content-Type is not looked at: the body is read as JSON
        String ct = new String[] {null, "text/plain", "application/xml", "application/x-www-form-urlencoded",
            "application/json; charset=utf-16", "application/json; charset=nonsense", ";;;/", "multipart/form-data; boundary=x"}[r.nextInt(8)];
        Req q = post(path(a), body("deposit", n, null)).key(key()).contentType(ct);
        ledgerOp(c, "a wrong or missing Content-Type", a, "deposit", n, null, q);
      }
      case 6 -> ledgerOp(c, "a small chunked body", a, "deposit", n, null, post(path(a), body("deposit", n, null)).key(key()).chunked());
      case 7 -> ledgerOp(c, "Expect: 100-continue", a, "deposit", n, null,
          post(path(a), body("deposit", n, null)).key(key()).header("Expect", "100-continue"));
      case 8 -> ledgerOp(c, "a query string", a, "deposit", n, null,
          post(path(a) + "?amount=999999&type=withdraw", body("deposit", n, null)).key(key()));
      case 9 -> ledgerOp(c, "dot segments in the path", a, "deposit", n, null,
          post("/machines/x/../account/./" + pct(a), body("deposit", n, null)).key(key()));
      case 10 -> ledgerOp(c, "an Idempotency-Key of exactly 255 characters", a, "deposit", n, null,
          post(path(a), body("deposit", n, null)).key(String.format("%-255s", key()).replace(' ', 'k')));
      case 11 -> { // keys with odd unicode, sent as UTF-8 bytes (one a lone surrogate in CESU form)
        String k = key() + new String[] {"\u00fc\u00df", "\ud83d\ude00", "\u200f\u202e", "\u4e2d", "\ud800", "\u00a0x", "\ufeff"}[r.nextInt(7)];
        ledgerOp(c, "an Idempotency-Key with odd unicode", a, "deposit", n, null, post(path(a), body("deposit", n, null)).key(k));
      }
      case 12 -> { // two Idempotency-Key headers: the first is the key
        String k = key();
        Req q = post(path(a), body("deposit", n, null)).key(k).header("Idempotency-Key", key());
        ledgerOp(c, "two Idempotency-Key headers", a, "deposit", n, null, q);
      }
      case 16 -> { // the same Content-Length twice: RFC 9110 8.6 lets a server accept identical duplicates
        String b = body("deposit", n, null);
        ledgerOp(c, "two identical Content-Length headers", a, "deposit", n, null,
            post(path(a), b).key(key()).header("Content-Length", Integer.toString(b.getBytes(StandardCharsets.UTF_8).length)));
      }
      case 13 -> { // many (but not too many) headers
        Req q = post(path(a), body("deposit", n, null)).key(key());
        for (int i = 0; i < 40; i++) q.header("X-Pad-" + i, "v".repeat(r.nextInt(100)));
        ledgerOp(c, "40 extra headers", a, "deposit", n, null, q);
      }
      case 14 -> { // a key from another account: keys are per machine, so this is a new request
        Ledger.Keyed k = someKey(r, a);
        if (k == null || k.account().equals(a) || ledger.keyed.stream().anyMatch(x -> x.account().equals(a) && x.key().equals(k.key()))) return;
        ledgerOp(c, "another account's key", a, "deposit", n, null, post(path(a), body("deposit", n, null)).key(k.key()));
      }
      default -> { // the same input, written differently, with its key: the recorded reply, replayed
        Ledger.Keyed k = someKey(r, a);
        if (k == null) return;
        JsonNode in = json(k.body());
        StringBuilder b = new StringBuilder("{ ");
        List<String> names = new ArrayList<>();
        in.fieldNames().forEachRemaining(names::add);
        java.util.Collections.reverse(names);
        for (String f : names) b.append('"').append(f).append("\" : ").append(in.get(f)).append(" ,");
        String reformatted = b.substring(0, b.length() - 1) + "}\n";
        Req q = post(path(k.account()), reformatted).key(k.key());
        Resp resp = send(c, q);
        if (resp.status != 200 || !resp.body.equals(k.reply()) || !"true".equals(resp.header("idempotent-replayed")))
          violation("REPLAY", c, "the same input written differently replays " + k.reply(), q, resp);
      }
    }
  }

  /**
   * A retry storm: the same key sent on six connections at once. Exactly one is handled; with the
   * same input the others get its reply, replayed; with different inputs they get 422.
   */
  void storm(Random r) {
    String c = "storm";
    String a = pick(r);
    settle(a);
    String k = key();
    boolean same = r.nextBoolean();
    List<Req> reqs = new ArrayList<>();
    for (int i = 0; i < 6; i++) reqs.add(post(path(a), body("deposit", same ? 10 : 10 + i, null)).key(k));
    List<CompletableFuture<Resp>> futures = new ArrayList<>();
    for (Req q : reqs) futures.add(CompletableFuture.supplyAsync(() -> send(q), POOL));
    List<Resp> resps = futures.stream().map(CompletableFuture::join).toList();
    perCategory.merge(c, reqs.size(), Integer::sum);
    int winner = -1;
    for (int i = 0; i < resps.size(); i++) {
      if (resps.get(i).status != 200 || resps.get(i).header("idempotent-replayed") != null) continue;
      if (winner >= 0) violation("RACE", c, "one key sent concurrently is handled once", reqs.get(i), resps.get(i));
      else winner = i;
    }
    if (winner < 0) throw new AssertionError("none of " + reqs.size() + " concurrent requests with key " + k + " was handled: " + resps);
    String reply = ledger.apply(a, "deposit", same ? 10 : 10 + winner, null);
    ledger.keyed.add(new Ledger.Keyed(a, k, new String(reqs.get(winner).body, StandardCharsets.UTF_8), reply));
    if (!resps.get(winner).body.equals(reply)) violation("WELL-FORMED", c, "the handled one: expected " + reply, reqs.get(winner), resps.get(winner));
    for (int i = 0; i < resps.size(); i++) {
      if (i == winner) continue;
      if (same) {
        if (resps.get(i).status != 200 || !resps.get(i).body.equals(reply) || !"true".equals(resps.get(i).header("idempotent-replayed")))
          violation("REPLAY", c, "the same input concurrently: the handled one's reply " + reply + ", replayed", reqs.get(i), resps.get(i));
      } else check(c, "another input concurrently with the same key", reqs.get(i), resps.get(i), 422, "was used before with a different request");
    }
  }

  static final ExecutorService POOL = Executors.newFixedThreadPool(6, t -> {
    Thread th = new Thread(t, "hostile-client");
    th.setDaemon(true);
    return th;
  });

  /** Requests whose wrong answers change state; aimed at accounts outside the ledger. */
  void requestsThatWouldChangeStateWrongly() {
    String c = "state-changing";
    // Not UTF-8 in the path is decoded to U+FFFD, which no id may hold: a POST is refused, and
    // does not deposit into machine "\ufffd" (or "\ufffd\ufffd").
    for (String bad : new String[] {"%ED%A0%80", "%C0%80", "%FF"}) {
      Req q = post("/machines/account/" + bad, "{\"type\":\"deposit\",\"amount\":1}").key(key());
      Resp resp = send(c, q);
      check(c, "a POST to an id of bytes that are not UTF-8", q, resp, 400, null);
      if (resp.status == 200) touched.add(json(send(get("/machines/account/" + bad)).body).path("id").asText());
    }
    // The sample refuses a deposit that would take a balance past Long.MAX_VALUE instead of wrapping.
    String o = "overflow-probe";
    touched.add(o);
    Req max = post(path(o), "{\"type\":\"deposit\",\"amount\":9223372036854775807}").key(key());
    check(c, "a deposit of Long.MAX_VALUE", max, send(c, max), 200, "{\"accepted\":true,\"balance\":9223372036854775807}");
    Req one = post(path(o), "{\"type\":\"deposit\",\"amount\":1}").key(key());
    Resp wrapped = send(c, one);
    if (!wrapped.body.equals("{\"accepted\":false,\"balance\":9223372036854775807}"))
      violation("OVERFLOW", c, "a deposit that would overflow the balance must be refused", one, wrapped);
  }

  // ---------------------------------------------------------------------------------------------
  // Checks.

  static final String[] LEAKS = {"dev.rsm", "java.", "javax.", "com.fasterxml", "org.apache", "scala.", "Exception", "\tat "};

  /** A refused request: exactly {@code status}, a JSON error (containing {@code contains}), nothing else. */
  void rejected(String category, String what, Req q, int status, String contains) {
    check(category, what, q, send(category, q), status, contains);
  }

  void check(String category, String what, Req q, Resp resp, int status, String contains) {
    if (resp.status != status) {
      violation(resp.status >= 500 ? "STATUS-5XX" : "STATUS", category, what + ": expected " + status, q, resp);
      return;
    }
    if (status == 200) {
      if (contains != null && !resp.body.equals(contains)) violation("REPLY", category, what + ": expected " + contains, q, resp);
      return;
    }
    jsonError(category, what, q, resp);
    if (contains != null && !resp.body.contains(contains))
      violation("MESSAGE", category, what + ": the error should say \"" + contains + "\"", q, resp);
  }

  /**
   * Pekko's own answers, before the routes (414, 431, 501, 505, bad framing, bad headers): the status
   * is Pekko's, and the body is still the documented JSON error ({@code
   * pekko.http.server.parsing.error-handler} is rsm's JsonParsingErrorHandler).
   */
  void protocolRejected(String category, String what, Req q, int status) {
    Resp resp = send(category, q);
    if (resp.status != status) {
      violation(resp.status >= 500 && resp.status != 501 && resp.status != 505 ? "STATUS-5XX" : "STATUS",
          category, what + ": expected " + status, q, resp);
      return;
    }
    jsonError(category, what, q, resp);
  }

  void jsonError(String category, String what, Req q, Resp resp) {
    for (String leak : LEAKS)
      if (resp.body.contains(leak)) violation("LEAK", category, what + ": the error names \"" + leak.trim() + "\"", q, resp);
    JsonNode n = tryJson(resp.body);
    if (!"application/json".equals(resp.header("content-type")) || n == null || !n.isObject() || !n.path("error").isTextual())
      violation("NOT-JSON", category, what + ": errors are JSON {\"error\": ...}", q, resp);
  }

  void violation(String kind, String category, String what, Req q, Resp resp) {
    violations.computeIfAbsent(kind + " | " + category + " | " + what, k -> new Violation(k, q.summary(), resp.summary())).count++;
  }

  static final class Violation {
    final String what;
    final String request;
    final String response;
    int count;

    Violation(String what, String request, String response) {
      this.what = what;
      this.request = request;
      this.response = response;
    }

    @Override
    public String toString() {
      return "- " + what + " (" + count + "x); e.g.\n    request:  " + request + "\n    response: " + response;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Raw HTTP/1.1 over a socket, one connection per request.

  static final class Req {
    final String method;
    final String target;
    final List<String[]> headers = new ArrayList<>();
    byte[] body;
    String key;
    String contentType = "application/json";
    String contentLength;
    boolean chunked;
    boolean host = true;
    String version = "HTTP/1.1";

    Req(String method, String target) {
      this.method = method;
      this.target = target;
    }

    Req body(String b) {
      return body(b.getBytes(StandardCharsets.UTF_8));
    }

    Req body(byte[] b) {
      body = b;
      return this;
    }

    Req key(String k) {
      key = k;
      return this;
    }

    Req maybeKey(Random r, HostileClientTest t) {
      return r.nextBoolean() ? key(t.key()) : this;
    }

    Req header(String name, String value) {
      headers.add(new String[] {name, value});
      return this;
    }

    Req contentType(String ct) {
      contentType = ct;
      return this;
    }

    Req contentLength(int n) {
      contentLength = Integer.toString(n);
      return this;
    }

    Req contentLengthText(String n) {
      contentLength = n;
      return this;
    }

    Req chunked() {
      chunked = true;
      return this;
    }

    Req noHost() {
      host = false;
      return this;
    }

    Req version(String v) {
      version = v;
      return this;
    }

    byte[] bytes() {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      StringBuilder h = new StringBuilder(method + " " + target + " " + version + "\r\n");
      if (host) h.append("Host: 127.0.0.1\r\n");
      h.append("Connection: close\r\n");
      if (body != null && contentType != null) h.append("Content-Type: ").append(contentType).append("\r\n");
      if (key != null) h.append("Idempotency-Key: ").append(key).append("\r\n");
      for (String[] x : headers) h.append(x[0]).append(": ").append(x[1]).append("\r\n");
      if (chunked) h.append("Transfer-Encoding: chunked\r\n");
      else if (contentLength != null) h.append("Content-Length: ").append(contentLength).append("\r\n");
      else if (body != null) h.append("Content-Length: ").append(body.length).append("\r\n");
      h.append("\r\n");
      b.writeBytes(wtf8(h.toString()));
      if (body != null) {
        if (chunked) {
          for (int i = 0; i < body.length; i += 8192) {
            int n = Math.min(8192, body.length - i);
            b.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            b.write(body, i, n);
            b.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
          }
          b.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        } else b.writeBytes(body);
      }
      return b.toByteArray();
    }

    String summary() {
      StringBuilder s = new StringBuilder(method + " " + shorten(target, 140));
      if (key != null) s.append(" [Idempotency-Key: ").append(shorten(key, 60)).append(']');
      if (!host) s.append(" [no Host]");
      if (!version.equals("HTTP/1.1")) s.append(" [").append(version).append(']');
      if (chunked) s.append(" [chunked]");
      if (contentLength != null) s.append(" [Content-Length: ").append(contentLength).append(']');
      if (!"application/json".equals(contentType)) s.append(" [Content-Type: ").append(contentType).append(']');
      if (!headers.isEmpty()) s.append(" [+").append(headers.size()).append(" headers, e.g. ")
          .append(shorten(headers.get(0)[0] + ": " + headers.get(0)[1], 60)).append(']');
      if (body != null) s.append(" body (").append(body.length).append(" bytes): ")
          .append(shorten(new String(body, StandardCharsets.UTF_8), 160));
      return s.toString();
    }
  }

  static Req post(String target, String body) {
    return new Req("POST", target).body(body);
  }

  static Req get(String target) {
    return new Req("GET", target);
  }

  record Resp(int status, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.get(name);
    }

    String summary() {
      return status + " " + (headers.containsKey("content-type") ? "[" + headers.get("content-type") + "] " : "")
          + (headers.containsKey("idempotent-replayed") ? "[Idempotent-Replayed] " : "") + shorten(body, 400);
    }
  }

  /** A fresh read of {@code account}. */
  Resp read(String account) {
    return send(get(path(account)));
  }

  Resp send(String category, Req q) {
    perCategory.merge(category, 1, Integer::sum);
    return send(q);
  }

  Resp send(Req q) {
    requests.incrementAndGet();
    byte[] out = q.bytes();
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(20_000);
      try {
        OutputStream o = s.getOutputStream();
        o.write(out);
        o.flush();
      } catch (IOException e) {
        // the server may answer (413, 431) and close before reading everything: read its answer
      }
      ByteArrayOutputStream in = new ByteArrayOutputStream();
      try {
        InputStream i = s.getInputStream();
        byte[] buf = new byte[16384];
        for (int n; (n = i.read(buf)) >= 0; ) in.write(buf, 0, n);
      } catch (SocketTimeoutException e) {
        return new Resp(-2, Map.of(), "no answer within 20 s (" + in.size() + " bytes)");
      } catch (IOException e) {
        if (in.size() == 0) return new Resp(-1, Map.of(), "connection failed: " + e);
      }
      return parse(in.toByteArray());
    } catch (IOException e) {
      return new Resp(-1, Map.of(), "connection failed: " + e);
    }
  }

  static Resp parse(byte[] raw) {
    int end = -1;
    for (int i = 0; i + 3 < raw.length; i++)
      if (raw[i] == '\r' && raw[i + 1] == '\n' && raw[i + 2] == '\r' && raw[i + 3] == '\n') {
        end = i;
        break;
      }
    if (end < 0) return new Resp(-1, Map.of(), "no HTTP response: " + shorten(new String(raw, StandardCharsets.ISO_8859_1), 200));
    String[] lines = new String(raw, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new HashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.putIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
    }
    byte[] rest = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
    if (headers.containsKey("content-length")) rest = java.util.Arrays.copyOf(rest, Math.min(rest.length, Integer.parseInt(headers.get("content-length"))));
    else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) rest = dechunk(rest);
    return new Resp(status, headers, new String(rest, StandardCharsets.UTF_8));
  }

  static byte[] dechunk(byte[] b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int i = 0;
    while (i < b.length) {
      int eol = i;
      while (eol + 1 < b.length && !(b[eol] == '\r' && b[eol + 1] == '\n')) eol++;
      int n = Integer.parseInt(new String(b, i, eol - i, StandardCharsets.US_ASCII).split(";")[0].trim(), 16);
      if (n == 0) break;
      out.write(b, eol + 2, Math.min(n, b.length - eol - 2));
      i = eol + 2 + n + 2;
    }
    return out.toByteArray();
  }

  // ---------------------------------------------------------------------------------------------
  // Encoding helpers.

  static String path(String account) {
    return "/machines/account/" + pct(account);
  }

  /** Percent-encodes every byte but the unreserved characters (lone surrogates as their 3 bytes). */
  static String pct(String s) {
    StringBuilder b = new StringBuilder();
    for (byte x : wtf8(s)) {
      int c = x & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~')
        b.append((char) c);
      else b.append('%').append(String.format("%02X", c));
    }
    return b.toString();
  }

  /** UTF-8, except that an unpaired surrogate is written as its own 3 bytes (as CESU-8/WTF-8 would). */
  static byte[] wtf8(String s) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        b.writeBytes(s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8));
        i++;
      } else if (Character.isSurrogate(c)) {
        b.write(0xE0 | (c >> 12));
        b.write(0x80 | ((c >> 6) & 0x3F));
        b.write(0x80 | (c & 0x3F));
      } else b.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
    }
    return b.toByteArray();
  }

  static String uEscape(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) b.append(String.format("\\u%04x", (int) c));
    return b.toString();
  }

  static String jsonString(String s) {
    try {
      return M.writeValueAsString(s);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] cat(byte[]... parts) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (byte[] p : parts) b.writeBytes(p);
    return b.toByteArray();
  }

  static String shorten(String s, int max) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < max; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || Character.isSurrogate(c) || Character.getType(c) == Character.FORMAT
          || Character.isSpaceChar(c) && c != ' ') b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return s.length() > b.length() && b.length() >= max ? b + "...(" + s.length() + " chars)" : b.toString();
  }

  static JsonNode json(String s) {
    JsonNode n = tryJson(s);
    if (n == null) throw new AssertionError("not JSON: " + shorten(s, 300));
    return n;
  }

  static JsonNode tryJson(String s) {
    try {
      return M.readTree(s);
    } catch (IOException e) {
      return null;
    }
  }

  @SafeVarargs
  static <T> List<T> concat(java.util.Collection<T>... parts) {
    List<T> all = new ArrayList<>();
    for (java.util.Collection<T> p : parts) all.addAll(p);
    return all;
  }
}
