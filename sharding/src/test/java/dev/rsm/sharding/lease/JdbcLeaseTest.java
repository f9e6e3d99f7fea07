package dev.rsm.sharding.lease;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rsm.persistence.JdbcSchema;
import dev.rsm.persistence.RsmConfig;
import dev.rsm.persistence.testing.Await;
import dev.rsm.persistence.testing.TestStores;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.coordination.lease.LeaseSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The lease on both stores, each owner a node of its own (an actor system with its own {@link
 * LeaseStore}, connection and renewals): two owners never believe they hold a lease at once, a
 * lease whose owner stops renewing goes to another only after it expired (and its old owner stops
 * believing before that), a released lease goes at once, and the fencing token grows with every
 * new owner.
 */
class JdbcLeaseTest {
  // Short, so expiry is seen in seconds: time to live 2s, renewal every 300ms, belief 1.5s.
  private static final Map<String, Object> FAST = Map.of(
      "rsm.lease.heartbeat-timeout", "2s",
      "rsm.lease.heartbeat-interval", "300ms",
      "rsm.lease.safety-margin", "500ms",
      "rsm.lease.lease-operation-timeout", "1s",
      "pekko.actor.provider", "local");

  private final List<ActorSystem> systems = new ArrayList<>();

  @AfterEach
  void stop() {
    for (ActorSystem s : systems) {
      s.terminate();
      s.getWhenTerminated().toCompletableFuture().join();
    }
  }

  private Config store(String kind) {
    Config config = RsmConfig.load(ConfigFactory.parseMap(FAST).withFallback(TestStores.fresh(kind)));
    JdbcSchema.ensure(config);
    return config;
  }

  private JdbcLease lease(Config config, String owner, String name) {
    ActorSystem system = ActorSystem.create("lease-" + owner, config);
    systems.add(system);
    return new JdbcLease(LeaseSettings.apply(config.getConfig("rsm.lease"), name, owner), (ExtendedActorSystem) system);
  }

  /** The lease's expiry in the database (epoch ms of the database's clock). */
  private static long expiresAt(Config config, String name) {
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(config.getString("rsm.storage.jdbc.url"),
            config.getString("rsm.storage.jdbc.user"), config.getString("rsm.storage.jdbc.password"));
        java.sql.PreparedStatement ps = c.prepareStatement("SELECT expires_at FROM rsm_lease WHERE name = ?")) {
      ps.setString(1, name);
      try (java.sql.ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean join(java.util.concurrent.CompletionStage<Boolean> f) {
    return f.toCompletableFuture().join();
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2, TestStores.POSTGRES})
  void aHeldLeaseIsRefusedToOthersAndGoesAtOnceWhenReleased(String kind) {
    Config config = store(kind);
    JdbcLease a = lease(config, "a", "shard-1");
    JdbcLease b = lease(config, "b", "shard-1");
    assertTrue(join(a.acquire()), "a free lease is acquired");
    assertTrue(a.checkLease());
    assertEquals(1, a.token());
    assertFalse(join(b.acquire()), "a held lease is refused");
    assertFalse(b.checkLease());
    // Held across several renewals (the time to live is 2s).
    // Renewed past its first time to live: the database moved its expiry on by more than that.
    long firstExpiry = expiresAt(config, "shard-1");
    Await.until("a's lease renewed past its first time to live", Duration.ofSeconds(10),
        () -> expiresAt(config, "shard-1"), e -> e >= firstExpiry + 2000);
    assertTrue(a.checkLease(), "renewals keep it");
    assertFalse(join(b.acquire()), "still refused after its first time to live");
    assertTrue(join(a.release()));
    assertFalse(a.checkLease(), "a released lease is not believed");
    assertTrue(join(b.acquire()), "a released lease goes at once");
    assertEquals(2, b.token(), "a new owner, a higher token");
    assertTrue(join(b.acquire()), "its owner acquires it again");
    assertEquals(2, b.token(), "the same owner keeps its token");
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2, TestStores.POSTGRES})
  void aStoppedShardsReleaseDoesNotUndoTheNextShardsAcquisition(String kind) throws Exception {
    Config config = store(kind);
    JdbcLease a = lease(config, "a", "shard-3");
    JdbcLease b = lease(config, "b", "shard-3");
    LeaseStore store = LeaseStore.get(systems.get(0));
    assertTrue(join(a.acquire()));
    long first = a.acquisition();
    // The shard that acquired it stops and the next one starts at once: the next one's
    // acquisition is queued before the watch of the first one asks to release.
    CountDownLatch gate = new CountDownLatch(1);
    store.runOnDbThread(() -> {
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    CompletionStage<Boolean> again = a.acquire();
    store.releaseIfStill(a, first);
    gate.countDown();
    assertTrue(join(again));
    CompletableFuture<Void> drained = new CompletableFuture<>();
    store.runOnDbThread(() -> drained.complete(null));
    drained.get(10, TimeUnit.SECONDS);
    assertTrue(a.checkLease(), "the next shard holds the lease");
    assertFalse(join(b.acquire()), "and the database agrees: nobody else can take it");
    // Without a later acquisition the watch does release it.
    store.releaseIfStill(a, a.acquisition());
    Await.until("the lease released when its shard stopped", Duration.ofSeconds(10), () -> join(b.acquire()), t -> t);
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2, TestStores.POSTGRES})
  void anOwnerThatStopsRenewingStopsBelievingBeforeAnotherCanTakeTheLease(String kind) throws Exception {
    Config config = store(kind);
    JdbcLease a = lease(config, "a", "shard-2");
    JdbcLease b = lease(config, "b", "shard-2");
    CompletableFuture<Optional<Throwable>> lost = new CompletableFuture<>();
    assertTrue(join(a.acquire(lost::complete)));
    long acquired = System.nanoTime();
    LeaseStore.get(systems.get(0)).holdRenewals(true); // a is cut off from the database
    // a's belief ends 1.5s after its last renewal was sent; the database frees the row 2s after.
    Optional<Throwable> reason = lost.get(10, TimeUnit.SECONDS);
    long lostAfter = System.nanoTime() - acquired;
    assertFalse(a.checkLease());
    assertTrue(reason.isPresent(), "the callback says why");
    assertTrue(lostAfter < Duration.ofMillis(2000).toNanos(), "lost before the database can give it away: "
        + lostAfter / 1_000_000 + " ms");
    await("b takes the expired lease").atMost(Duration.ofSeconds(10))
        .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10)).until(() -> join(b.acquire()));
    assertTrue(System.nanoTime() - acquired >= Duration.ofMillis(1500).toNanos(), "not before a's last renewal expired");
    assertEquals(2, b.token());
    LeaseStore.get(systems.get(0)).holdRenewals(false);
    assertFalse(join(a.acquire()), "a, back, finds it taken");
    assertFalse(a.checkLease());
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStores.H2, TestStores.POSTGRES})
  void concurrentOwnersNeverHoldItAtOnceAndTokensOnlyGrow(String kind) throws Exception {
    Config config = store(kind);
    int owners = 4;
    List<JdbcLease> leases = new ArrayList<>();
    for (int i = 0; i < owners; i++) leases.add(lease(config, "o" + i, "contended"));
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    AtomicInteger acquisitions = new AtomicInteger();
    AtomicInteger expiries = new AtomicInteger();
    java.util.Set<String> holders = java.util.concurrent.ConcurrentHashMap.newKeySet();
    Object order = new Object();
    String[] lastOwner = {null};
    long[] lastToken = {0};
    List<String> tokenFaults = new ArrayList<>();
    long end = System.nanoTime() + Duration.ofSeconds(8).toNanos();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < owners; i++) {
      JdbcLease lease = leases.get(i);
      LeaseStore store = LeaseStore.get(systems.get(i));
      Thread t = new Thread(() -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (System.nanoTime() < end) {
          boolean got;
          try {
            got = join(lease.acquire());
          } catch (RuntimeException e) {
            continue; // a lock timeout under contention: try again
          }
          if (!got) continue;
          int nth = acquisitions.incrementAndGet();
          holders.add(lease.owner());
          synchronized (order) {
            if (!lease.owner().equals(lastOwner[0]) && lease.token() <= lastToken[0])
              tokenFaults.add(lease.owner() + " got token " + lease.token() + " after " + lastOwner[0] + " had " + lastToken[0]);
            lastOwner[0] = lease.owner();
            lastToken[0] = lease.token();
          }
          // Every sixth holder is cut off while holding it, until it expires (renewal races, expiry).
          boolean cutOff = nth % 6 == 0;
          if (cutOff) store.holdRenewals(true);
          long holdUntil = System.nanoTime() + (cutOff ? Duration.ofMillis(2500) : Duration.ofMillis(random.nextInt(5, 60))).toNanos();
          while (System.nanoTime() < holdUntil) {
            if (!lease.checkLease()) break;
            if (inside.incrementAndGet() > 1) overlaps.incrementAndGet();
            Thread.onSpinWait();
            inside.decrementAndGet();
          }
          if (cutOff) {
            if (!lease.checkLease()) expiries.incrementAndGet();
            store.holdRenewals(false);
          } else {
            join(lease.release());
          }
        }
      }, "owner-" + i);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) t.join();
    System.out.printf("[lease] %s: %d acquisitions by %d owners, %d after an owner was cut off until expiry%n",
        kind, acquisitions.get(), owners, expiries.get());
    assertEquals(0, overlaps.get(), "two owners believed they held the lease at once");
    assertEquals(List.of(), tokenFaults, "the token grows with every new owner");
    assertTrue(acquisitions.get() >= 8 && holders.size() >= 2, "the owners took turns: " + acquisitions.get()
        + " acquisitions by " + holders);
    assertTrue(expiries.get() >= 1, "a cut-off holder's lease expired and went to another");
  }
}
