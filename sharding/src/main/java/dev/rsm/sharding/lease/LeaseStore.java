package dev.rsm.sharding.lease;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorIdentity;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;
import org.apache.pekko.actor.Identify;
import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.Terminated;
import org.apache.pekko.coordination.lease.LeaseException;
import org.apache.pekko.coordination.lease.LeaseTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's side of every {@link JdbcLease} it holds: one connection to the lease table, one
 * thread that runs the statements in order (an acquisition, a release and a renewal of the same
 * lease never race within a node), and one thread that keeps time — every {@code
 * heartbeat-interval} it renews all held leases in one transaction, and as soon as a lease's
 * belief runs out without a confirmed renewal it reports the lease lost, even while a statement
 * hangs on an unreachable database.
 *
 * <p>Cluster Sharding (Pekko 1.2) acquires a shard's lease when the shard starts but does not
 * release it when the shard stops (hand-off to another node, shutdown): this store watches the
 * shard actor that acquired a lease and releases the lease when that actor stops, so that the
 * shard's next node does not wait for the lease to expire.
 */
public final class LeaseStore implements Extension {
  private static final Logger LOG = LoggerFactory.getLogger(LeaseStore.class);

  /** The extension: one store per actor system. */
  public static final Id ID = new Id();

  /** The extension's id. */
  public static final class Id extends AbstractExtensionId<LeaseStore> implements ExtensionIdProvider {
    private Id() {}

    @Override
    public LeaseStore createExtension(ExtendedActorSystem system) {
      return new LeaseStore(system);
    }

    @Override
    public Id lookup() {
      return ID;
    }
  }

  public static LeaseStore get(ActorSystem system) {
    return ID.get(system);
  }

  private final ExtendedActorSystem system;
  private final String url;
  private final Properties connectionProperties;
  private final long ttlMillis;
  private final long beliefNanos;
  private final long intervalNanos;
  private final Duration operationTimeout;
  private final int timeoutSeconds;
  private final String incarnation = Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
  private final ExecutorService db;
  private final ScheduledExecutorService clock;
  private final Set<JdbcLease> held = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean renewing = new AtomicBoolean();
  private final ActorRef watcher;
  private volatile boolean closed;
  // Tests: renewals are not sent, as from a node frozen or cut off from the database.
  private volatile boolean renewalsHeld;
  private long lastRenewalNanos = System.nanoTime();
  private Connection connection; // the db thread's

  private LeaseStore(ExtendedActorSystem system) {
    this.system = system;
    Config c = system.settings().config().getConfig("rsm.lease");
    Duration ttl = c.getDuration("heartbeat-timeout");
    Duration interval = c.getDuration("heartbeat-interval");
    Duration margin = c.getDuration("safety-margin");
    this.operationTimeout = c.getDuration("lease-operation-timeout");
    // A belief must outlast a renewal interval plus a slow renewal, or the lease would be lost
    // between two healthy renewals.
    if (ttl.minus(margin).compareTo(interval.plus(operationTimeout)) <= 0)
      throw new IllegalArgumentException("rsm.lease: heartbeat-timeout (" + ttl + ") minus safety-margin (" + margin
          + ") must exceed heartbeat-interval (" + interval + ") plus lease-operation-timeout (" + operationTimeout + ")");
    this.ttlMillis = ttl.toMillis();
    this.beliefNanos = ttl.minus(margin).toNanos();
    this.intervalNanos = interval.toNanos();
    this.timeoutSeconds = (int) Math.max(1, (operationTimeout.toMillis() + 999) / 1000);
    Config jdbc = c.getConfig("jdbc");
    this.url = jdbc.getString("url");
    this.connectionProperties = new Properties();
    if (jdbc.hasPath("properties"))
      for (Map.Entry<String, ConfigValue> e : jdbc.getConfig("properties").entrySet())
        connectionProperties.setProperty(e.getKey(), String.valueOf(e.getValue().unwrapped()));
    connectionProperties.setProperty("user", jdbc.getString("user"));
    connectionProperties.setProperty("password", jdbc.getString("password"));
    if (url.startsWith("jdbc:postgresql:")) { // an unreachable server fails a connection attempt in time
      connectionProperties.setProperty("connectTimeout", Integer.toString(timeoutSeconds));
      connectionProperties.setProperty("loginTimeout", Integer.toString(timeoutSeconds));
    }
    this.db = Executors.newSingleThreadExecutor(daemon("rsm-lease-db"));
    this.clock = Executors.newSingleThreadScheduledExecutor(daemon("rsm-lease-clock"));
    long tick = Math.max(50, Math.min(250, interval.toMillis() / 4));
    clock.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.MILLISECONDS);
    this.watcher = system.systemActorOf(Props.create(ShardWatcher.class, () -> new ShardWatcher(this)), "rsm-lease-watcher");
    // After sharding has handed its shards off (their leases are released as the shards stop):
    // whatever is still held is released before the system terminates.
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "rsm-release-leases",
        () -> CompletableFuture.supplyAsync(() -> {
          releaseAllAndClose();
          return Done.getInstance();
        }));
    system.registerOnTermination(this::close);
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  String incarnation() {
    return incarnation;
  }

  long beliefNanos() {
    return beliefNanos;
  }

  // ---------------------------------------------------------------- operations

  void acquire(JdbcLease lease, Consumer<Optional<Throwable>> onLost, CompletableFuture<Boolean> result) {
    // Pekko expects an acquisition to end within the operation timeout; one that ends later (the
    // statement hung and then succeeded) is released again, since nobody waits for it.
    result.orTimeout(operationTimeout.toMillis(), TimeUnit.MILLISECONDS);
    if (closed) {
      result.completeExceptionally(new LeaseException("the lease store of " + system.name() + " is closed"));
      return;
    }
    db.execute(() -> {
      if (result.isDone()) return; // timed out in the queue
      long sent = System.nanoTime();
      try {
        OptionalLong token = LeaseSql.acquire(connection(), lease.name(), lease.owner(), ttlMillis, timeoutSeconds);
        if (token.isEmpty()) {
          result.complete(false);
          return;
        }
        lease.confirmAcquired(sent, token.getAsLong());
        long acquisition = lease.acquired(onLost);
        held.add(lease);
        if (!result.complete(true)) {
          LOG.debug("lease {} acquired after its caller gave up: releasing it", lease.name());
          releaseNow(lease);
        } else {
          LOG.debug("acquired {}", lease);
          String shard = shardActorPath(lease.name());
          if (shard != null) watcher.tell(new Watch(lease, acquisition, shard), ActorRef.noSender());
        }
      } catch (SQLException e) {
        dropConnection();
        result.completeExceptionally(new LeaseException("could not acquire lease " + lease.name() + ": " + e.getMessage()));
      }
    });
  }

  void release(JdbcLease lease, CompletableFuture<Boolean> result) {
    // Fall silent at once; the row follows.
    lease.drop();
    held.remove(lease);
    if (closed) {
      result.complete(false);
      return;
    }
    db.execute(() -> {
      try {
        result.complete(LeaseSql.release(connection(), lease.name(), lease.owner(), timeoutSeconds));
      } catch (SQLException e) {
        dropConnection();
        result.completeExceptionally(new LeaseException("could not release lease " + lease.name() + ": " + e.getMessage()));
      }
    });
  }

  /** On the db thread. */
  private void releaseNow(JdbcLease lease) {
    lease.drop();
    held.remove(lease);
    try {
      LeaseSql.release(connection(), lease.name(), lease.owner(), timeoutSeconds);
    } catch (SQLException e) {
      dropConnection(); // it expires by itself
    }
  }

  /**
   * Releases the lease if no later acquisition took it since {@code acquisition} (the watch). The
   * check runs on the db thread, in order with acquisitions: a new shard's acquisition queued
   * before this release would otherwise be undone by it in the database while the node went on
   * believing it held the lease.
   */
  void releaseIfStill(JdbcLease lease, long acquisition) {
    try {
      db.execute(() -> {
        if (closed || lease.acquisition() != acquisition || !lease.held()) return;
        LOG.debug("releasing {}: the shard that acquired it stopped", lease);
        releaseNow(lease);
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // the store is closed: what it held was released or expires by itself
    }
  }

  // ---------------------------------------------------------------- the clock

  private void tick() {
    try {
      long now = System.nanoTime();
      for (JdbcLease lease : held)
        if (lease.beliefExpired(now))
          lose(lease, new LeaseTimeoutException("lease " + lease.name() + ": no renewal confirmed by the database within "
              + Duration.ofNanos(beliefNanos) + " (heartbeat-timeout minus safety-margin)"));
      if (now - lastRenewalNanos >= intervalNanos && !held.isEmpty() && !closed && !renewalsHeld
          && renewing.compareAndSet(false, true)) {
        lastRenewalNanos = now;
        db.execute(this::renew);
      }
    } catch (RuntimeException e) {
      LOG.error("lease clock failed", e); // keep ticking
    }
  }

  /** On the db thread: one transaction extends every held lease. */
  private void renew() {
    try {
      Map<String, List<JdbcLease>> byOwner = new HashMap<>();
      for (JdbcLease lease : held) byOwner.computeIfAbsent(lease.owner(), o -> new ArrayList<>()).add(lease);
      for (Map.Entry<String, List<JdbcLease>> e : byOwner.entrySet()) {
        long sent = System.nanoTime();
        Set<String> still = LeaseSql.renew(connection(), e.getKey(),
            e.getValue().stream().map(JdbcLease::name).toList(), ttlMillis, timeoutSeconds);
        for (JdbcLease lease : e.getValue()) {
          if (still.contains(lease.name())) lease.renewed(sent);
          else lose(lease, new LeaseException("lease " + lease.name() + " is no longer held by " + lease.owner()
              + " in the database (another owner took it after it expired)"));
        }
      }
    } catch (SQLException e) {
      dropConnection();
      LOG.warn("could not renew {} lease(s): {}; each is lost when its belief runs out", held.size(), e.getMessage());
    } finally {
      renewing.set(false);
    }
  }

  private void lose(JdbcLease lease, Throwable reason) {
    if (!lease.drop()) return;
    held.remove(lease);
    LOG.warn("lost {}: {}", lease, reason.getMessage());
    lease.lost(reason);
  }

  /** Tests: runs {@code task} on the db thread, after every operation queued before it. */
  void runOnDbThread(Runnable task) {
    db.execute(task);
  }

  /** Tests: stops (true) or resumes (false) sending renewals, as a node cut off from the database. */
  void holdRenewals(boolean hold) {
    renewalsHeld = hold;
  }

  // ---------------------------------------------------------------- the connection

  private Connection connection() throws SQLException {
    if (connection == null) {
      connection = DriverManager.getConnection(url, connectionProperties);
      if (url.startsWith("jdbc:postgresql:")) // a statement on a silent socket fails in time
        connection.setNetworkTimeout(Runnable::run, (int) operationTimeout.toMillis());
    }
    return connection;
  }

  private void dropConnection() {
    Connection c = connection;
    connection = null;
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // replaced by a new one on the next operation
      }
    }
  }

  private void releaseAllAndClose() {
    List<JdbcLease> all = List.copyOf(held);
    closed = true;
    try {
      CompletableFuture.runAsync(() -> {
        for (JdbcLease lease : all) releaseNow(lease);
      }, db).get(operationTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (Exception e) { // also when close() ran first (terminate() without the shutdown phases)
      if (!all.isEmpty()) LOG.warn("could not release {} lease(s) at shutdown: they expire by themselves", all.size());
    }
    close();
  }

  private synchronized void close() {
    closed = true;
    if (db.isShutdown()) return; // by the shutdown task already, then by termination
    clock.shutdownNow();
    db.execute(this::dropConnection);
    db.shutdown();
  }

  // ---------------------------------------------------------------- shard watch

  /**
   * The actor path of the shard a lease of Cluster Sharding belongs to, or null for another lease.
   * Pekko names a shard's lease {@code <system>-shard-<type name>-<shard id>}; shard ids here are
   * numbers, so the last dash separates them.
   */
  String shardActorPath(String leaseName) {
    String prefix = system.name() + "-shard-";
    int dash = leaseName.lastIndexOf('-');
    if (!leaseName.startsWith(prefix) || dash <= prefix.length()) return null;
    String typeName = leaseName.substring(prefix.length(), dash);
    String shardId = leaseName.substring(dash + 1);
    return "/system/sharding/" + URLEncoder.encode(typeName, StandardCharsets.UTF_8) + "/"
        + URLEncoder.encode(shardId, StandardCharsets.UTF_8);
  }

  private record Watch(JdbcLease lease, long acquisition, String path) {}

  /** Releases a shard's lease when the shard actor that acquired it stops. */
  static final class ShardWatcher extends AbstractActor {
    private final LeaseStore store;
    private final Map<ActorRef, List<Watch>> watched = new HashMap<>();

    ShardWatcher(LeaseStore store) {
      this.store = store;
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Watch.class, w -> getContext().actorSelection(w.path()).tell(new Identify(w), getSelf()))
          .match(ActorIdentity.class, id -> {
            Watch w = (Watch) id.correlationId();
            Optional<ActorRef> ref = id.getActorRef();
            if (ref.isEmpty()) {
              store.releaseIfStill(w.lease(), w.acquisition()); // stopped already
              return;
            }
            getContext().watch(ref.get());
            watched.computeIfAbsent(ref.get(), r -> new ArrayList<>()).add(w);
          })
          .match(Terminated.class, t -> {
            List<Watch> ws = watched.remove(t.getActor());
            if (ws != null) for (Watch w : ws) store.releaseIfStill(w.lease(), w.acquisition());
          })
          .build();
    }
  }
}
