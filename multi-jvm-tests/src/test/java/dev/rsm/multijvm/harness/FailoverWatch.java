package dev.rsm.multijvm.harness;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Watches a cluster from the outside after one of its nodes died, through the survivors' Pekko
 * Management endpoints, and records when (by {@link System#nanoTime()}, 0 until seen): a survivor
 * first reported the dead node unreachable; the dead node was downed (a survivor lists it as
 * {@code Down} or no longer lists it); and the survivors together host {@code machines} running
 * entities of {@code entityType} (sharding started them, whether or not their recovery finished).
 * Membership is polled every 50 ms, the shards every 250 ms (asking the shard regions is heavier).
 */
public final class FailoverWatch implements AutoCloseable {
  private final NodeProcess dead;
  private final List<NodeProcess> survivors;
  private final String entityType;
  private final int machines;
  private final AtomicLong unreachableAt = new AtomicLong();
  private final AtomicLong downedAt = new AtomicLong();
  private final AtomicLong hostedAt = new AtomicLong();
  private final Thread thread;
  private volatile boolean running = true;

  /** Starts watching; {@code machines}: how many entities of {@code entityType} the survivors must host. */
  public FailoverWatch(NodeProcess dead, List<NodeProcess> survivors, String entityType, int machines) {
    this.dead = dead;
    this.survivors = List.copyOf(survivors);
    this.entityType = entityType;
    this.machines = machines;
    this.thread = new Thread(this::watch, "failover-watch");
    thread.setDaemon(true);
    thread.start();
  }

  private void watch() {
    long nextShardPoll = 0;
    while (running && (downedAt.get() == 0 || hostedAt.get() == 0)) {
      if (downedAt.get() == 0) pollMembers();
      if (hostedAt.get() == 0 && System.nanoTime() >= nextShardPoll) {
        nextShardPoll = System.nanoTime() + Duration.ofMillis(250).toNanos();
        if (hosted() >= machines) hostedAt.compareAndSet(0, System.nanoTime());
      }
      LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
    }
  }

  private void pollMembers() {
    for (NodeProcess n : survivors) {
      JsonNode m;
      try {
        m = HttpJson.getJson(n.managementPort(), "/cluster/members", Duration.ofSeconds(2));
      } catch (RuntimeException e) {
        continue; // busy or not answering: the next poll
      }
      long now = System.nanoTime();
      for (JsonNode u : m.path("unreachable"))
        if (dead.address().equals(u.path("node").asText())) unreachableAt.compareAndSet(0, now);
      boolean listed = false;
      for (JsonNode member : m.path("members"))
        if (dead.address().equals(member.path("node").asText())) {
          listed = true;
          String status = member.path("status").asText();
          if (status.equals("Down") || status.equals("Removed")) downedAt.compareAndSet(0, now);
        }
      if (!listed) downedAt.compareAndSet(0, now);
    }
  }

  private long hosted() {
    return hosted(survivors, entityType);
  }

  /**
   * Running entities of {@code entityType} on {@code nodes}, by their shard regions' own counts;
   * -1 when a node does not answer.
   */
  public static long hosted(List<NodeProcess> nodes, String entityType) {
    long n = 0;
    for (NodeProcess s : nodes) {
      try {
        JsonNode r = HttpJson.getJson(s.managementPort(), "/cluster/shards/" + entityType, Duration.ofSeconds(2));
        for (JsonNode region : r.path("regions")) n += region.path("numEntities").asLong();
      } catch (RuntimeException e) {
        return -1; // a region that does not answer cannot be counted
      }
    }
    return n;
  }

  /** When a survivor first reported the dead node unreachable; 0 if not seen (it may have been downed between polls). */
  public long unreachableAt() {
    return unreachableAt.get();
  }

  public long downedAt() {
    return downedAt.get();
  }

  public long hostedAt() {
    return hostedAt.get();
  }

  /** The oldest member as a survivor sees it (where the shard coordinator runs), e.g. to choose which node to kill. */
  public static String oldest(NodeProcess node) {
    return HttpJson.getJson(node.managementPort(), "/cluster/members", Duration.ofSeconds(5)).path("oldest").asText();
  }

  @Override
  public void close() {
    running = false;
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
