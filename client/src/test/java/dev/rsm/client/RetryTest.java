package dev.rsm.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the client retries: a keyed input or a read, under the same key, on 503 (after its
 * Retry-After), a refused connection or a timeout, across the nodes, until the deadline; never an
 * input without a key.
 */
class RetryTest {
  static final String OK = "{\"accepted\":true,\"balance\":1}";
  static final FakeNode.Response BUSY = FakeNode.json(503, "{\"error\":\"busy\",\"reason\":\"overloaded\"}", "Retry-After", "1");

  static RsmClient client(Duration deadline, URI... nodes) {
    return RsmClient.builder().nodes(nodes).deadline(deadline).attemptTimeout(Duration.ofSeconds(2)).build();
  }

  @Test
  void a503IsRetriedUnderTheSameKeyAfterItsRetryAfter() {
    try (FakeNode node = new FakeNode(n -> n == 1 ? BUSY : FakeNode.json(200, OK))) {
      Answer a = client(Duration.ofSeconds(10), node.uri()).machine(Wallet.TYPE, "w").ask("k-503", new Wallet.Deposit(1));

      assertEquals(2, a.attempts());
      List<FakeNode.Request> seen = node.requests;
      assertEquals(List.of("k-503", "k-503"), seen.stream().map(FakeNode.Request::key).toList());
      assertEquals(seen.get(0).body(), seen.get(1).body());
      long waited = seen.get(1).nanos() - seen.get(0).nanos();
      assertTrue(waited >= Duration.ofSeconds(1).toNanos(), "Retry-After 1 s, the second request came after " + waited + " ns");
    }
  }

  @Test
  void aRefusedConnectionMovesToTheNextNodeWithTheSameKey() {
    try (FakeNode live = new FakeNode(n -> FakeNode.json(200, OK))) {
      RsmClient client = client(Duration.ofSeconds(10), FakeNode.refusing(), live.uri());
      Answer a = client.machine(Wallet.TYPE, "w").ask("k-refused", new Wallet.Deposit(1));

      assertEquals(2, a.attempts());
      assertEquals(live.uri(), a.node());
      assertEquals(List.of("k-refused"), live.requests.stream().map(FakeNode.Request::key).toList());
    }
  }

  @Test
  void aTimedOutRequestIsSentToTheNextNodeWithTheSameKey() {
    try (FakeNode stuck = new FakeNode(n -> FakeNode.HANG); FakeNode live = new FakeNode(n -> FakeNode.json(200, OK))) {
      Answer a = client(Duration.ofSeconds(10), stuck.uri(), live.uri()).machine(Wallet.TYPE, "w")
          .ask("k-timeout", new Wallet.Deposit(1));

      assertEquals(2, a.attempts());
      assertEquals("k-timeout", stuck.requests.get(0).key());
      assertEquals("k-timeout", live.requests.get(0).key());
    }
  }

  @Test
  void callsStartAtTheNodesInTurn() {
    try (FakeNode a = new FakeNode(n -> FakeNode.json(200, OK)); FakeNode b = new FakeNode(n -> FakeNode.json(200, OK))) {
      MachineClient<Wallet.Input, Wallet.State> w = client(Duration.ofSeconds(10), a.uri(), b.uri()).machine(Wallet.TYPE, "w");
      for (int i = 0; i < 4; i++) assertEquals(1, w.ask("k" + i, new Wallet.Deposit(1)).attempts());

      assertEquals(2, a.requests.size());
      assertEquals(2, b.requests.size());
    }
  }

  @Test
  void readsAreRetriedToo() {
    try (FakeNode node = new FakeNode(n -> n == 1 ? BUSY : FakeNode.json(200,
        "{\"type\":\"wallet\",\"id\":\"w\",\"state\":{\"balance\":1,\"owner\":\"a\"},\"seqNr\":1,\"unackedOutputs\":0,\"armedTimers\":0}"))) {
      MachineState<Wallet.State> s = client(Duration.ofSeconds(10), node.uri()).machine(Wallet.TYPE, "w").state();

      assertEquals(2, s.attempts());
      assertEquals(new Wallet.State(1, "a"), s.state());
    }
  }

  @Test
  void theDeadlineEndsRetriesWithUnavailableListingEveryAttempt() {
    FakeNode.Response busyNow = FakeNode.json(503, "{\"error\":\"busy\",\"reason\":\"not-confirmed\"}", "Retry-After", "0");
    try (FakeNode a = new FakeNode(n -> busyNow); FakeNode b = new FakeNode(n -> busyNow)) {
      List<Attempt> told = new java.util.concurrent.CopyOnWriteArrayList<>();
      RsmClient client = RsmClient.builder().nodes(a.uri(), b.uri()).deadline(Duration.ofSeconds(1))
          .onFailedAttempt(told::add).build();
      long start = System.nanoTime();
      Unavailable e = assertThrows(Unavailable.class,
          () -> client.machine(Wallet.TYPE, "w").ask("k-deadline", new Wallet.Deposit(1)));
      long took = System.nanoTime() - start;

      // Each request the nodes saw is an attempt; all but the last one were answered 503 (on a
      // loaded machine the last may time out at the deadline, seen by a node or not).
      List<Attempt> answered = e.attempts().subList(0, e.attempts().size() - 1);
      int seen = a.requests.size() + b.requests.size();
      assertTrue(seen >= answered.size() && seen <= e.attempts().size(), seen + " requests, attempts " + e.attempts());
      assertTrue(a.requests.size() >= 2 && b.requests.size() >= 2, a.requests.size() + " and " + b.requests.size());
      assertTrue(answered.stream().allMatch(t -> t.status() == 503 && t.outcome().startsWith("503 not-confirmed")),
          e.attempts().toString());
      assertEquals(List.of(a.uri(), b.uri(), a.uri()), e.attempts().subList(0, 3).stream().map(Attempt::node).toList());
      assertTrue(took < Duration.ofSeconds(3).toNanos(), "ended " + took + " ns after the start, deadline 1 s");
      assertTrue(e.getMessage().contains("deadline of 1000 ms"), e.getMessage());
      assertEquals(e.attempts(), told, "the listener was told of each attempt");
    }
  }

  @Test
  void aRetryAfterBeyondTheDeadlineEndsTheCallAtOnce() {
    try (FakeNode node = new FakeNode(n -> FakeNode.json(503, "{\"error\":\"busy\"}", "Retry-After", "60"))) {
      Unavailable e = assertThrows(Unavailable.class, () -> client(Duration.ofSeconds(5), node.uri())
          .machine(Wallet.TYPE, "w").ask("k", new Wallet.Deposit(1)));

      assertEquals(1, e.attempts().size());
      assertEquals(1, node.requests.size());
    }
  }

  @Test
  void anInputWithoutAKeyIsNeverRetried() {
    try (FakeNode busy = new FakeNode(n -> BUSY); FakeNode live = new FakeNode(n -> FakeNode.json(200, OK))) {
      Unavailable on503 = assertThrows(Unavailable.class, () -> client(Duration.ofSeconds(10), busy.uri(), live.uri())
          .machine(Wallet.TYPE, "w").ask(null, new Wallet.Deposit(1)));
      Unavailable refused = assertThrows(Unavailable.class, () -> client(Duration.ofSeconds(10), FakeNode.refusing(), live.uri())
          .machine(Wallet.TYPE, "w").ask(null, new Wallet.Deposit(1)));

      assertEquals(1, on503.attempts().size());
      assertEquals(503, on503.status());
      assertEquals(1, busy.requests.size());
      assertEquals(1, refused.attempts().size());
      assertEquals("connection refused", refused.attempts().get(0).outcome());
      assertEquals(0, live.requests.size());
    }
  }
}
