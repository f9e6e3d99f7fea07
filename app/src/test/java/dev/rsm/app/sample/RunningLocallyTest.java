package dev.rsm.app.sample;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rsm.persistence.IngressResult;
import dev.rsm.persistence.LocalRuntime;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.MachineView;
import dev.rsm.persistence.Machines;
import dev.rsm.persistence.RsmConfig;
import dev.rsm.persistence.testing.TestStores;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The README's "run it in one ActorSystem", as written there, on a fresh embedded H2 store. */
class RunningLocallyTest {
  final ActorTestKit kit = ActorTestKit.create("running-locally", RsmConfig.load(TestStores.fresh(TestStores.H2)));

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
  }

  @Test
  void anAccountAnswersItsCallerAndATransferReachesTheOtherAccount() {
    ActorSystem<?> system = kit.system();

    LocalRuntime rsm = LocalRuntime.start(system, MachineRegistry.of(Account.TYPE));
    Machines machines = rsm.machines();
    IngressResult deposited = machines.ask(Account.TYPE.address("alice"), "request-42", new Account.Deposit(100))
        .toCompletableFuture().join();   // Replied[reply=Result[accepted=true, balance=100], duplicate=false, seqNr=1]
    MachineView alice = machines.state(Account.TYPE.address("alice")).toCompletableFuture().join();

    assertEquals("Replied[reply=Result[accepted=true, balance=100], duplicate=false, seqNr=1]", deposited.toString());
    assertEquals(new MachineView(new Account.State(100), 1, 0, 0), alice);

    machines.ask(Account.TYPE.address("alice"), "request-43", new Account.Transfer("bob", 30)).toCompletableFuture().join();
    awaitBalance(machines, "bob", 30);
    IngressResult retried = machines.ask(Account.TYPE.address("alice"), "request-42", new Account.Deposit(100))
        .toCompletableFuture().join();
    IngressResult.Replied replayed = (IngressResult.Replied) retried;
    assertEquals(new Account.Result(true, 100), replayed.reply(), "the recorded reply");
    assertTrue(replayed.duplicate(), "handled once, not again");
    assertEquals(new Account.State(70), machines.state(Account.TYPE.address("alice")).toCompletableFuture().join().state());
  }

  /** The deposit into bob is a send: it arrives after alice's step, exactly once. */
  static void awaitBalance(Machines machines, String id, long balance) {
    await(id + "'s balance").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
        .untilAsserted(() -> assertEquals(new Account.State(balance),
            machines.state(Account.TYPE.address(id)).toCompletableFuture().join().state(), id));
  }
}
