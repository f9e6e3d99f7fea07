package dev.rsm.sharding.lease;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.coordination.lease.LeaseSettings;
import org.apache.pekko.coordination.lease.javadsl.Lease;

/**
 * A Pekko {@link Lease} kept in the journal's database: a row of {@code rsm_lease} per lease name
 * with its owner, its expiry and a fencing token. Configured at {@code rsm.lease} (see
 * docs/leases.md); Cluster Sharding takes one per shard ({@code pekko.cluster.sharding.use-lease =
 * "rsm.lease"}), the split-brain resolver's {@code lease-majority} strategy one for the cluster.
 *
 * <h2>Safety</h2>
 *
 * Who owns a lease and until when is decided by the database alone: {@link #acquire} takes the row
 * only if it is free, already this owner's, or expired by the database's clock, and sets its expiry
 * to the database's now plus {@code heartbeat-timeout}. This node believes it holds the lease
 * ({@link #checkLease}) only until {@code heartbeat-timeout - safety-margin} after it <em>sent</em>
 * the last successful acquisition or renewal, measured on its own monotonic clock: the database set
 * the expiry after that moment, so the holder's belief ends at least {@code safety-margin} before
 * anyone else can take the row, unless the two clocks' rates differ by more than {@code
 * safety-margin / heartbeat-timeout} (20 % with the defaults). Wall-clock offsets between nodes
 * and the database do not matter; only the rate at which time passes does.
 *
 * <p>A frozen holder (SIGSTOP, a long GC pause) finds its belief expired when it resumes, whatever
 * it was doing: the monotonic clock ran while it was stopped.
 *
 * <h2>Liveness</h2>
 *
 * Renewals are per node, not per lease: every {@code heartbeat-interval} one transaction extends
 * every lease this node holds ({@link LeaseStore}). A lease the database no longer gives this owner,
 * or whose belief expired without a successful renewal (the database unreachable), is lost: the
 * callback given to {@link #acquire(Consumer)} is called, and Cluster Sharding stops the shard.
 */
public final class JdbcLease extends Lease {
  private final LeaseSettings settings;
  private final LeaseStore store;
  private final String owner;
  // The belief: held, until validUntilNanos (System.nanoTime). Written on the store's threads.
  private volatile boolean held;
  private volatile long validUntilNanos;
  private volatile long token;
  private volatile Consumer<Optional<Throwable>> onLost;
  // Counts successful acquisitions: a watch of the shard that acquired the lease releases it only
  // if no later acquisition (a new incarnation of the shard) took it since.
  private volatile long acquisition;

  /** Called by Pekko's {@code LeaseProvider}. */
  public JdbcLease(LeaseSettings settings, ExtendedActorSystem system) {
    this.settings = settings;
    this.store = LeaseStore.get(system);
    // The owner as stored: the name Pekko gives (host:port) and this process's incarnation, so a
    // node restarted on the same address is a new owner with a new token.
    this.owner = settings.ownerName() + "#" + store.incarnation();
  }

  @Override
  public LeaseSettings getSettings() {
    return settings;
  }

  /** The lease's name (its row). */
  public String name() {
    return settings.leaseName();
  }

  /** The owner as written in the row: Pekko's owner name and this process's incarnation. */
  public String owner() {
    return owner;
  }

  /**
   * The fencing token of the last acquisition: it grows by at least one each time the lease
   * changes owner, so of two writers the one with the higher token acquired later. 0 before the
   * first acquisition.
   */
  public long token() {
    return token;
  }

  @Override
  public CompletionStage<Boolean> acquire() {
    return acquire(reason -> {});
  }

  @Override
  public CompletionStage<Boolean> acquire(Consumer<Optional<Throwable>> leaseLostCallback) {
    CompletableFuture<Boolean> result = new CompletableFuture<>();
    store.acquire(this, leaseLostCallback, result);
    return result;
  }

  @Override
  public CompletionStage<Boolean> release() {
    CompletableFuture<Boolean> result = new CompletableFuture<>();
    store.release(this, result);
    return result;
  }

  @Override
  public boolean checkLease() {
    return held && System.nanoTime() - validUntilNanos < 0;
  }

  // ---------------------------------------------------------------- the store's side

  /** After a successful acquisition that was sent at {@code sentAtNanos}. */
  synchronized void confirmAcquired(long sentAtNanos, long tokenNow) {
    token = tokenNow;
    validUntilNanos = sentAtNanos + store.beliefNanos();
    held = true;
  }

  /** After a renewal sent at {@code sentAtNanos} found the lease still this owner's. */
  synchronized void renewed(long sentAtNanos) {
    if (held) validUntilNanos = sentAtNanos + store.beliefNanos(); // a lease dropped meanwhile stays dropped
  }

  long acquired(Consumer<Optional<Throwable>> callback) {
    onLost = callback;
    return ++acquisition;
  }

  long acquisition() {
    return acquisition;
  }

  boolean held() {
    return held;
  }

  boolean beliefExpired(long nowNanos) {
    return held && nowNanos - validUntilNanos >= 0;
  }

  /** Stops believing; returns whether it was held (then the caller tells the lost callback). */
  synchronized boolean drop() {
    boolean was = held;
    held = false;
    return was;
  }

  void lost(Throwable reason) {
    Consumer<Optional<Throwable>> callback = onLost;
    onLost = null;
    if (callback != null) callback.accept(Optional.ofNullable(reason));
  }

  @Override
  public String toString() {
    return "JdbcLease(" + name() + ", " + owner + ", token " + token + (checkLease() ? ", held)" : ", not held)");
  }
}
