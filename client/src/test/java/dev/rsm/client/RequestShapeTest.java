package dev.rsm.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** What the client sends for an input and a read, and how it reads what comes back. */
class RequestShapeTest {
  static RsmClient client(FakeNode node) {
    return RsmClient.builder().nodes(node.uri()).deadline(Duration.ofSeconds(10)).build();
  }

  @Test
  void anInputIsPostedAsItsFieldsWithItsNameInType() {
    try (FakeNode node = new FakeNode(n -> FakeNode.json(200, "{\"accepted\":true,\"balance\":5,\"extra\":1}"))) {
      MachineClient<Wallet.Input, Wallet.State> w = client(node).machine(Wallet.TYPE, "w 1");
      Wallet.Result r = w.ask("k-1", new Wallet.Deposit(5), Wallet.Result.class);
      w.ask(null, new Wallet.Pay("bob", 7));

      assertEquals(new Wallet.Result(true, 5), r);
      FakeNode.Request deposit = node.requests.get(0);
      assertEquals("POST", deposit.method());
      assertEquals("/machines/wallet/w%201", deposit.path());
      assertEquals("k-1", deposit.key());
      assertEquals("application/json", deposit.contentType());
      assertEquals("{\"type\":\"deposit\",\"amount\":5}", deposit.body());
      // @InputName gives the name; no key, no header.
      assertEquals("{\"type\":\"pay-to\",\"to\":\"bob\",\"amount\":7}", node.requests.get(1).body());
      assertNull(node.requests.get(1).key());
    }
  }

  @Test
  void anAnswerCarriesTheReplyWhetherItWasReplayedAndItsAttempts() {
    try (FakeNode node = new FakeNode(n -> n == 1 ? FakeNode.json(200, "{\"accepted\":true,\"balance\":5}")
        : FakeNode.json(200, "{\"accepted\":true,\"balance\":5}", "Idempotent-Replayed", "true"))) {
      MachineClient<Wallet.Input, Wallet.State> w = client(node).machine(Wallet.TYPE, "w");
      Answer first = w.ask("k", new Wallet.Deposit(5));
      Answer again = w.ask("k", new Wallet.Deposit(5));

      assertFalse(first.replayed());
      assertTrue(again.replayed());
      assertEquals(1, again.attempts());
      assertEquals(new Wallet.Result(true, 5), again.as(Wallet.Result.class));
      assertEquals(5, again.json().get("balance").asLong());
    }
  }

  @Test
  void stateIsReadAsTheTypesStateClass() {
    try (FakeNode node = new FakeNode(n -> FakeNode.json(200, "{\"type\":\"wallet\",\"id\":\"w\",\"state\":"
        + "{\"balance\":12,\"owner\":\"ann\"},\"seqNr\":3,\"unackedOutputs\":1,\"armedTimers\":2}"))) {
      MachineState<Wallet.State> s = client(node).machine(Wallet.TYPE, "w").state();

      assertEquals(new MachineState<>("wallet", "w", new Wallet.State(12, "ann"), 3, 1, 2, 1), s);
      assertEquals("GET", node.requests.get(0).method());
      assertEquals("/machines/wallet/w", node.requests.get(0).path());
    }
  }

  @Test
  void aBearerTokenIsSentWithEveryRequest() {
    try (FakeNode node = new FakeNode(n -> FakeNode.json(200, "{\"accepted\":true,\"balance\":1}"))) {
      RsmClient plain = client(node);
      RsmClient withToken = RsmClient.builder().nodes(node.uri()).bearerToken("s3cret").build();
      plain.machine(Wallet.TYPE, "w").ask("k1", new Wallet.Deposit(1));
      withToken.machine(Wallet.TYPE, "w").ask("k2", new Wallet.Deposit(1));

      assertNull(node.requests.get(0).authorization());
      assertEquals("Bearer s3cret", node.requests.get(1).authorization());
    }
  }

  @Test
  void theAsyncFormsFailWithTheTypedException() {
    try (FakeNode node = new FakeNode(n -> FakeNode.json(404, "{\"error\":\"unknown machine type 'wallet'\"}"))) {
      MachineClient<Wallet.Input, Wallet.State> w = client(node).machine(Wallet.TYPE, "w");
      CompletionException asked = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
          () -> w.askAsync("k", new Wallet.Deposit(1), Wallet.Result.class).join());
      CompletionException read = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
          () -> w.stateAsync().join());

      assertEquals("unknown machine type 'wallet'", assertInstanceOf(NotFound.class, asked.getCause()).getMessage());
      assertInstanceOf(NotFound.class, read.getCause());
    }
  }
}
