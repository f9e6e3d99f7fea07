package dev.rsm.app.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import dev.rsm.app.machines.Brittle;
import dev.rsm.app.sample.Account;
import dev.rsm.app.sample.Booking;
import dev.rsm.app.testing.TestCluster;
import dev.rsm.client.Answer;
import dev.rsm.client.HandlerFailed;
import dev.rsm.client.InvalidInput;
import dev.rsm.client.JsonMachineClient;
import dev.rsm.client.MachineClient;
import dev.rsm.client.MachineState;
import dev.rsm.client.NotFound;
import dev.rsm.client.RsmClient;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.testing.Await;
import dev.rsm.persistence.testing.TestStores;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The typed client against a real node: replies, replays, state and errors as the bank sample's types. */
class RsmClientTest {
  static TestCluster cluster;
  static URI node;

  @BeforeAll
  static void start() {
    cluster = new TestCluster(TestStores.fresh(TestStores.H2), MachineRegistry.of(Account.TYPE, Brittle.TYPE),
        ConfigFactory.empty());
    node = URI.create("http://127.0.0.1:" + cluster.start().httpPort());
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void depositAndTransferAnswerTypedRepliesAndTheStateIsTyped() {
    RsmClient client = RsmClient.builder().nodes(node).deadline(Duration.ofSeconds(30)).build();
    MachineClient<Account.Input, Account.State> alice = client.machine(Account.TYPE, "alice");

    Account.Result deposited = alice.ask("deposit-1", new Account.Deposit(100), Account.Result.class);
    Account.Result sent = alice.ask("transfer-1", new Account.Transfer("bob", 30), Account.Result.class);
    Account.Result refused = alice.ask("withdraw-1", new Account.Withdraw(1000), Account.Result.class);

    assertEquals(new Account.Result(true, 100), deposited);
    assertEquals(new Account.Result(true, 70), sent);
    assertEquals(new Account.Result(false, 70), refused);
    MachineState<Account.State> bob = Await.until("bob credited", Duration.ofSeconds(10),
        () -> client.machine(Account.TYPE, "bob").state(), s -> s.seqNr() == 1);
    assertEquals(new Account.State(30), bob.state());
    MachineState<Account.State> state = alice.state();
    assertEquals(new Account.State(70), state.state());
    assertEquals(3, state.seqNr());
  }

  @Test
  void aRepeatedKeyIsAnsweredWithTheRecordedReplyMarkedReplayed() {
    MachineClient<Account.Input, Account.State> carol =
        RsmClient.builder().nodes(node).build().machine(Account.TYPE, "carol");

    Answer first = carol.ask("pay-7", new Account.Deposit(5));
    Answer again = carol.ask("pay-7", new Account.Deposit(5));

    assertFalse(first.replayed());
    assertTrue(again.replayed());
    assertEquals(new Account.Result(true, 5), again.as(Account.Result.class));
    assertEquals(1, carol.state().seqNr(), "handled once");
  }

  @Test
  void aDeadNodeIsPassedOverUnderTheSameKey() throws Exception {
    URI dead;
    try (ServerSocket s = new ServerSocket(0)) {
      dead = URI.create("http://127.0.0.1:" + s.getLocalPort());
    }
    RsmClient client = RsmClient.builder().nodes(dead, node).build();

    Answer a = client.machine(Account.TYPE, "dora").askAsync("dora-1", new Account.Deposit(9)).join();

    assertEquals(2, a.attempts());
    assertEquals(new Account.Result(true, 9), a.as(Account.Result.class));
    assertEquals(new Account.State(9), client.machine(Account.TYPE, "dora").stateAsync().join().state());
  }

  @Test
  void errorsAreTypedExceptionsAndChangeNothing() {
    RsmClient client = RsmClient.builder().nodes(node).build();
    MachineClient<Account.Input, Account.State> erin = client.machine(Account.TYPE, "erin");
    erin.ask("erin-1", new Account.Deposit(5));

    InvalidInput reused = assertThrows(InvalidInput.class, () -> erin.ask("erin-1", new Account.Deposit(500)));
    InvalidInput badId = assertThrows(InvalidInput.class,
        () -> client.machine(Account.TYPE, "no spaces").ask("k", new Account.Deposit(1)));
    NotFound unknown = assertThrows(NotFound.class,
        () -> client.machine(Booking.TYPE, "b").ask("k", new Booking.Hold("12A")));
    HandlerFailed failed = assertThrows(HandlerFailed.class,
        () -> client.machine(Brittle.TYPE, "b").ask("k", new Brittle.Fail("boom")));

    assertEquals(422, reused.status());
    assertTrue(reused.keyReused());
    assertEquals(400, badId.status());
    assertTrue(badId.getMessage().contains("whitespace"), badId.getMessage());
    assertTrue(unknown.getMessage().contains("unknown machine type 'booking'"), unknown.getMessage());
    assertTrue(failed.errorId() != null && !failed.errorId().isBlank());
    assertEquals(1, erin.state().seqNr());
    assertEquals(new Account.State(5), erin.state().state());
  }

  @Test
  void withoutTheMachinesClassesInputsAndStateAreJsonWithTheSameKeysAndErrors() {
    RsmClient client = RsmClient.builder().nodes(node).build();
    JsonMachineClient fred = client.machine("account", "fred");
    ObjectNode deposit = JsonNodeFactory.instance.objectNode().put("type", "deposit").put("amount", 12);

    Answer first = fred.ask("fred-1", deposit);
    Answer again = fred.ask("fred-1", deposit);
    JsonNode view = fred.read();

    assertEquals("{\"accepted\":true,\"balance\":12}", first.json().toString());
    assertTrue(again.replayed());
    assertEquals(12, view.path("state").path("balance").asLong());
    assertEquals(1, view.path("seqNr").asLong(), "handled once");
    assertEquals(new Account.State(12), client.machine(Account.TYPE, "fred").state().state(), "the typed view agrees");
    InvalidInput unnamed = assertThrows(InvalidInput.class,
        () -> fred.ask("fred-2", JsonNodeFactory.instance.objectNode().put("type", "deposit").put("amount", "lots")));
    assertEquals(400, unnamed.status());
    assertThrows(IllegalArgumentException.class, () -> fred.ask("fred-3", JsonNodeFactory.instance.objectNode()));
    assertEquals(1, fred.read().path("seqNr").asLong(), "nothing handled by the refused inputs");
  }
}
