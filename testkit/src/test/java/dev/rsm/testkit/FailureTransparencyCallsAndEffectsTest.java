package dev.rsm.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rsm.actors.Context;
import dev.rsm.actors.EffectHandler;
import dev.rsm.actors.Handlers;
import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Reply;
import dev.rsm.actors.Step;
import dev.rsm.persistence.EffectPolicy;
import dev.rsm.persistence.FaultInjector.Point;
import dev.rsm.testkit.machines.Shop;
import dev.rsm.testkit.machines.Stock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Machines that call each other and request effects are failure-transparent under the testkit's
 * crash runs (each call answered once, each effect's outcome handled once, whatever crashed), and
 * a reply handler that reads memory outside its machine is caught.
 */
class FailureTransparencyCallsAndEffectsTest {
  /** Executions of the charge per idempotency key, in the current run. */
  static final Map<String, AtomicInteger> CHARGES = new ConcurrentHashMap<>();

  /** The payment provider: declines the card "declined", else returns a receipt for the order. */
  static final EffectHandler<Shop.Charge> CHARGE = (charge, attempt) -> {
    CHARGES.computeIfAbsent(attempt.idempotencyKey(), k -> new AtomicInteger()).incrementAndGet();
    if (charge.card().equals("declined")) throw new IllegalStateException("card declined");
    return "receipt-" + charge.order();
  };

  static final EffectPolicy TWO_ATTEMPTS =
      new EffectPolicy(2, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofSeconds(5));

  @Test
  void aShopCallingItsStockAndChargingCardsIsFailureTransparent() {
    Scenario scenario = Scenario.builder()
        .input(Stock.TYPE, "apple", new Stock.Restock(3))
        .input(Stock.TYPE, "pear", new Stock.Restock(1))
        .input(Shop.TYPE, "s1", new Shop.Order("o1", "apple", 2, "visa", 300))
        .input(Shop.TYPE, "s1", new Shop.Order("o2", "apple", 2, "visa", 300)) // 1 left: out of stock
        .input(Shop.TYPE, "s1", new Shop.Order("o3", "pear", 1, "declined", 90)) // the pear goes back
        .input(Shop.TYPE, "s1", new Shop.Order("o4", "pear", 1, "visa", 90))
        .input(Shop.TYPE, "s1", new Shop.Order("o5", "apple", 0, "visa", 0)) // the stock refuses the call
        .build();
    FailureTransparency check = FailureTransparency.create()
        .withRuns(SeededFaults.SYSTEMATIC_SPREAD)
        .withEffect(Shop.CHARGE, Shop.Charge.class, CHARGE, TWO_ATTEMPTS)
        .withBeforeEachRun(CHARGES::clear);
    FailureTransparency.Report report = check.check(scenario, Shop.TYPE, Stock.TYPE);

    Shop.State shop = (Shop.State) report.states().get(Shop.TYPE.address("s1"));
    assertEquals(List.of(), shop.open());
    List<String> log = shop.log();
    assertEquals(List.of(
        "o1: ordered", "o1: reserved (call 1 to stock/apple)", "o1: paid receipt-o1 (key shop/s1/2/0)",
        "o2: ordered", "o2: out of stock (call 2 to stock/apple)",
        "o3: ordered", "o3: reserved (call 1 to stock/pear)",
        "o3: charge failed: IllegalStateException: card declined (key shop/s1/7/0)",
        "o4: ordered", "o4: reserved (call 3 to stock/pear)", "o4: paid receipt-o4 (key shop/s1/10/0)",
        "o5: ordered"), log.subList(0, log.size() - 1));
    assertTrue(log.get(log.size() - 1).startsWith("o5: stock REJECTED ") && log.get(log.size() - 1)
        .endsWith("(call 3 to stock/apple)"), log.get(log.size() - 1));
    assertEquals(new Stock.State(1), report.states().get(Stock.TYPE.address("apple")));
    assertEquals(new Stock.State(0), report.states().get(Stock.TYPE.address("pear")));
    assertEquals(List.of(3, 1, "accepted o1", "accepted o2", "accepted o3", "accepted o4", "accepted o5"),
        report.replies());
    report.views().values().forEach(v -> assertEquals(0, v.pendingEffects(), v.toString()));

    // The last run's executions: every charge under its key, at least once; the declined twice.
    assertEquals(Set.of("shop/s1/2/0", "shop/s1/7/0", "shop/s1/10/0"), CHARGES.keySet());
    CHARGES.values().forEach(n -> assertTrue(n.get() >= 1, CHARGES.toString()));
    assertTrue(CHARGES.get("shop/s1/7/0").get() >= 2, CHARGES.toString());
    for (Point p : Point.values())
      assertTrue(report.crashes().getOrDefault(p, 0) > 0, "no crash at " + p + ": " + report);
  }

  @Test
  void aReplyHandlerReadingACounterOutsideItsMachineIsCaught() {
    Scenario.Builder b = Scenario.builder().input(Stock.TYPE, "apple", new Stock.Restock(100));
    for (int i = 1; i <= 8; i++) b.input(Ticketing.TYPE, "t", new Ticketing.Book("apple"));
    FailureTransparency check = FailureTransparency.create().withRuns(5).withSeed(1)
        .withCrashProbability(0.3, 0.1)
        .withBeforeEachRun(() -> Ticketing.NEXT.set(0));
    FailureTransparencyError e = assertThrows(FailureTransparencyError.class,
        () -> check.check(b.build(), Ticketing.TYPE, Stock.TYPE));
    System.out.println("caught, as it should be:\n" + e.getMessage());
    assertTrue(e.getMessage().contains("not failure-transparent"), e.getMessage());
    assertTrue(e.getMessage().contains("machine ticketing/t: expected State[tickets=[1, 2, 3, 4, 5, 6, 7, 8]] after 16 steps but was State[tickets=["),
        e.getMessage());
  }

  /**
   * NOT failure-transparent, on purpose: numbers its bookings from a static counter when the stock
   * answers. A crash that makes it handle an answer again (before the step was journaled, or when
   * recovery replays it) draws another number.
   */
  public static final class Ticketing extends Machine<Ticketing.Input, Ticketing.State> {
    static final MachineType<Input, State> TYPE = MachineType.of("ticketing", Ticketing::new);

    /** The mistake: a number kept outside the machine's state. Reset before each run. */
    static final AtomicLong NEXT = new AtomicLong();

    public sealed interface Input permits Book {}

    public record Book(String item) implements Input {}

    public record State(List<Long> tickets) {}

    @Override
    public State initialState() {
      return new State(List.of());
    }

    @Override
    protected Handlers<Input, State> handlers() {
      return newHandlers()
          .on(Book.class, (s, bk, ctx) -> Step.<State>stay().call(Stock.TYPE, bk.item(), new Stock.Take("t", 1)))
          .onReply(Stock.Take.class, this::taken)
          .build();
    }

    private Step<State> taken(State s, Reply<Stock.Take> r, Context ctx) {
      List<Long> tickets = new java.util.ArrayList<>(s.tickets());
      tickets.add(NEXT.incrementAndGet());
      return Step.to(new State(tickets));
    }
  }
}
