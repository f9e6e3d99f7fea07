package dev.rsm.app.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.rsm.actors.Step;
import dev.rsm.testkit.FailureTransparency;
import dev.rsm.testkit.FailureTransparencyConfig;
import dev.rsm.testkit.FailureTransparencyExtension;
import dev.rsm.testkit.HandlerTester;
import dev.rsm.testkit.Scenario;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The bundled sample, tested the way a user tests a machine: with the RSM testkit. */
@ExtendWith(FailureTransparencyExtension.class)
class AccountTest {
  static final Account.Result OK_70 = new Account.Result(true, 70);

  @Test
  void aTransferDebitsHereAndSendsTheDepositToTheOtherAccount() {
    HandlerTester<Account.Input, Account.State> alice = HandlerTester.of(Account.TYPE).withId("alice");
    alice.handle(new Account.Deposit(100));
    HandlerTester.Result<Account.State> r = alice.handle(new Account.Transfer("bob", 30));

    assertEquals(new Account.State(70), r.state());
    assertEquals(OK_70, r.reply());
    assertEquals(List.of(new Step.Send(Account.TYPE.address("bob"), new Account.Deposit(30))), r.sends());
  }

  @Test
  void whatCannotBeDoneIsRefusedAndChangesNothing() {
    HandlerTester<Account.Input, Account.State> alice =
        HandlerTester.of(Account.TYPE).withId("alice").withState(new Account.State(70));
    for (Account.Input refused : List.of(new Account.Withdraw(71), new Account.Deposit(0),
        new Account.Transfer("alice", 10), new Account.Transfer("bob", -5))) {
      HandlerTester.Result<Account.State> r = alice.handle(refused);
      assertEquals(new Account.Result(false, 70), r.reply(), refused.toString());
      assertFalse(r.changedState(), refused.toString());
      assertEquals(List.of(), r.sends(), refused.toString());
    }
  }

  @Test
  @FailureTransparencyConfig(runs = 3)
  void accountsAreFailureTransparent(FailureTransparency check) {
    Scenario scenario = Scenario.builder()
        .input(Account.TYPE, "alice", new Account.Deposit(100))
        .input(Account.TYPE, "alice", new Account.Transfer("bob", 30))
        .input(Account.TYPE, "bob", new Account.Transfer("carol", 20))
        .input(Account.TYPE, "carol", new Account.Withdraw(25)) // refused: 20
        .input(Account.TYPE.address("alice"), "input-2", new Account.Transfer("bob", 30)) // a retry
        .input(Account.TYPE, "alice", new Account.Withdraw(70))
        .build();
    FailureTransparency.Report report = check.check(scenario, Account.TYPE);

    assertEquals(Map.of(
        Account.TYPE.address("alice"), new Account.State(0),
        Account.TYPE.address("bob"), new Account.State(10),
        Account.TYPE.address("carol"), new Account.State(20)), report.states());
    assertEquals(List.of(new Account.Result(true, 100), OK_70, new Account.Result(true, 10),
        new Account.Result(false, 20), OK_70, new Account.Result(true, 0)), report.replies());
  }
}
