package dev.rsm.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.Address;
import dev.rsm.persistence.machines.Counter;
import dev.rsm.persistence.testing.LogLines;
import dev.rsm.persistence.testing.TestNode;
import dev.rsm.persistence.testing.TestStores;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The idempotency keys a machine remembers are bounded ({@code idempotency.max-keys}), and the
 * bound never silently costs exactly-once: by default a new key beyond it, while every remembered
 * key is younger than the retention, is refused with the time until the oldest expires, and every
 * remembered key still gets its recorded reply. {@code when-full = evict-oldest} trades that for
 * availability, and says so at WARN.
 */
class KeyLimitTest {
  static final Address A = Counter.TYPE.address("a");
  static final MachineRegistry TYPES = MachineRegistry.of(Counter.TYPE);

  @Test
  void aKeyBeyondTheLimitIsRefusedUntilTheOldestExpires() {
    Config db = TestStores.fresh(TestStores.H2);
    Config cfg = ConfigFactory.parseString("rsm.persistence.idempotency { max-keys = 3, retention = 1h }");
    try (TestNode node = new TestNode("full", db, TYPES, cfg, FaultInjector.NONE)) {
      for (int i = 1; i <= 3; i++)
        assertEquals(new IngressResult.Replied(new Counter.Total(i), false, i), node.ask(A, "k" + i, new Counter.Add(1)));
      IngressResult refused = node.ask(A, "k4", new Counter.Add(100));
      IngressResult.TooManyKeys full = assertInstanceOf(IngressResult.TooManyKeys.class, refused);
      assertTrue(full.retryAfterMillis() > Duration.ofMinutes(59).toMillis()
          && full.retryAfterMillis() <= Duration.ofHours(1).toMillis(), full.toString());
      assertTrue(full.error().contains("3 idempotency keys") && full.error().contains("max-keys"), full.error());
      // Every remembered key keeps its recorded reply; an input without a key is still handled.
      assertEquals(new IngressResult.Replied(new Counter.Total(1), true, 3), node.ask(A, "k1", new Counter.Add(1)));
      assertEquals(new IngressResult.Replied(new Counter.Total(4), false, 4), node.ask(A, null, new Counter.Add(1)));
      assertEquals(new Counter.State(4, 4), node.state(A).state(), "the refused input was not handled");
    }
    // Two hours later (retention 1 h) the old keys have expired: the new key is taken, and storing
    // it forgets them.
    Clock later = Clock.offset(Clock.systemUTC(), Duration.ofHours(2));
    try (TestNode node = new TestNode("later", db, TYPES, cfg, FaultInjector.NONE, later)) {
      assertEquals(new IngressResult.Replied(new Counter.Total(104), false, 5), node.ask(A, "k4", new Counter.Add(100)));
      assertEquals(new IngressResult.Replied(new Counter.Total(104), true, 5), node.ask(A, "k4", new Counter.Add(100)));
    }
  }

  @Test
  void evictOldestTakesTheKeyAndWarnsThatTheOldestIsForgotten() {
    Config db = TestStores.fresh(TestStores.H2);
    Config cfg = ConfigFactory.parseString(
        "rsm.persistence.idempotency { max-keys = 3, retention = 1h, when-full = evict-oldest }");
    try (LogLines logs = new LogLines(); TestNode node = new TestNode("evicting", db, TYPES, cfg, FaultInjector.NONE)) {
      for (int i = 1; i <= 4; i++)
        assertEquals(new IngressResult.Replied(new Counter.Total(i), false, i), node.ask(A, "k" + i, new Counter.Add(1)));
      assertEquals(1, logs.at(Level.WARN, "forgot an idempotency key younger than", "counter/a").size(),
          String.valueOf(logs.at(Level.WARN)));
      // As documented for this mode: the forgotten key is handled again.
      assertEquals(new IngressResult.Replied(new Counter.Total(5), false, 5), node.ask(A, "k1", new Counter.Add(1)));
      assertEquals(new IngressResult.Replied(new Counter.Total(4), true, 5), node.ask(A, "k4", new Counter.Add(1)));
    }
  }

  @Test
  void anUnknownWhenFullIsRefusedAtStart() {
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> RuntimeSettings.fromConfig(ConfigFactory.parseString("idempotency.when-full = drop")
            .withFallback(ConfigFactory.load().getConfig("rsm.persistence"))));
    assertTrue(e.getMessage().contains("when-full must be refuse or evict-oldest"), e.getMessage());
  }
}
