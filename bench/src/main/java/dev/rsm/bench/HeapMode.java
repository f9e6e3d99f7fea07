package dev.rsm.bench;

import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.Address;
import dev.rsm.actors.MachineType;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.MachineView;
import dev.rsm.persistence.Machines;
import dev.rsm.persistence.RuntimeOptions;
import dev.rsm.persistence.RuntimeSettings;
import dev.rsm.persistence.StepObserver;
import dev.rsm.sharding.ShardedRuntime;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.ShardRegion.CurrentShardRegionState;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;

/**
 * --mode heap. (1) Creates {@code --heap-cycle} machines (each started by sharding and taking one
 * step) that passivate after one idle second, waits until none is
 * active, and compares the heap after GC with the heap before. (2) Keeps {@code --heap-machines}
 * machines active and idle, waits until they hibernated, and divides the heap growth by their
 * number; then weighs as many awake ones (hibernation off) the same way. (3) Does the same, as
 * baselines in the same run, for a plain Pekko {@code EventSourcedBehavior} and a plain actor,
 * sharded alike ({@link IdleEntities}).
 *
 * <p>Each reading waits {@code --heap-settle} first: starting an entity schedules timeouts (the
 * ask's, the recovery's) that are cancelled when it answers, but Pekko's scheduler keeps a
 * cancelled task's slot until its deadline, and those slots would be counted as the entity's.
 */
final class HeapMode {
  private final BenchOptions o;
  private final Store store;
  private final PrintStream out;
  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  // Timeouts of the reads that start entities: the settle time must outlast them.
  private static final Duration ASK = Duration.ofSeconds(30);

  HeapMode(BenchOptions o, Store store, PrintStream out) {
    this.o = o;
    this.store = store;
    this.out = out;
  }

  Map<String, Object> run() throws Exception {
    String tag = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("store", store.kind);
    try (Node node = new Node("heap", store, ConfigFactory.empty())) {
      var config = node.system.settings().config().getConfig("rsm.persistence");
      RuntimeSettings quick = RuntimeSettings.fromConfig(ConfigFactory.parseString("passivate-after = 1s").withFallback(config));
      // Idle machines hibernate after hibernate-after (30 s by default; 2 s here, so the reading
      // need not wait), and the awake ones are weighed too, with hibernation off.
      RuntimeSettings hibernating = RuntimeSettings.fromConfig(ConfigFactory.parseString(
          "passivate-after = 1h, hibernate-after = 2s").withFallback(config));
      RuntimeSettings awake = RuntimeSettings.fromConfig(ConfigFactory.parseString(
          "passivate-after = 1h, hibernate-after = off").withFallback(config));
      MachineType<IdleMachine.Input, IdleMachine.State> cycled = MachineType.of("cycle-" + tag, IdleMachine::new);
      MachineType<IdleMachine.Input, IdleMachine.State> idle = MachineType.of("idle-" + tag, IdleMachine::new);
      MachineType<IdleMachine.Input, IdleMachine.State> awakeType = MachineType.of("awake-" + tag, IdleMachine::new);
      Machines cycling = ShardedRuntime.start(node.system, MachineRegistry.of(cycled),
          RuntimeOptions.defaults().withSettings(quick)).machines();
      Set<Address> hibernated = ConcurrentHashMap.newKeySet();
      Machines keeping = ShardedRuntime.start(node.system, MachineRegistry.of(idle),
          RuntimeOptions.defaults().withSettings(hibernating).withObserver(new StepObserver() {
            @Override
            public void stepJournaled(Address machine, Object input, long seqNr) {}

            @Override
            public void hibernated(Address machine) {
              hibernated.add(machine);
            }
          })).machines();
      Machines staying = ShardedRuntime.start(node.system, MachineRegistry.of(awakeType),
          RuntimeOptions.defaults().withSettings(awake)).machines();
      touch(keeping, idle, 1, "warm-up"); // sharding regions and coordinators exist before the baseline
      touch(staying, awakeType, 1, "warm-up");
      touch(cycling, cycled, 1, "warm-up");
      awaitActive(node, cycled, 0);

      long before = heapAfterGc();
      out.printf("[heap] baseline %,d KB%n", before / 1024);
      long t0 = System.nanoTime();
      touch(cycling, cycled, o.heapCycle(), "created");
      double createSeconds = (System.nanoTime() - t0) / 1e9;
      awaitActive(node, cycled, 0);
      settle();
      long after = heapAfterGc();
      out.printf("[heap] %,d machines created in %.0f s and passivated: heap %,d KB (%+,d KB)%n",
          o.heapCycle(), createSeconds, after / 1024, (after - before) / 1024);
      r.put("cycle_machines", o.heapCycle());
      r.put("cycle_seconds", Math.round(createSeconds));
      r.put("heap_before_kb", before / 1024);
      r.put("heap_after_cycle_kb", after / 1024);
      r.put("heap_growth_after_cycle_kb", (after - before) / 1024);

      long base = after;
      int n = o.heapMachines() + 1;
      touch(keeping, idle, n, "active");
      int active = awaitActive(node, idle, n);
      awaitHibernated(hibernated, n);
      settle();
      long loaded = heapAfterGc();
      double perMachine = (double) (loaded - base) / active;
      out.printf("[heap] %,d active idle machines, hibernated: heap %,d KB, %.0f bytes per machine%n",
          active, loaded / 1024, perMachine);
      r.put("active_idle_machines", active);
      r.put("heap_with_active_kb", loaded / 1024);
      r.put("bytes_per_active_idle_machine", Math.round(perMachine));
      // -Drsm.bench.heap-histogram=N prints the N classes that hold the most heap at this point.
      int top = Integer.getInteger("rsm.bench.heap-histogram", 0);
      if (top > 0) {
        String h = (String) ManagementFactory.getPlatformMBeanServer().invoke(
            new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"),
            "gcClassHistogram", new Object[] {null}, new String[] {String[].class.getName()});
        h.lines().limit(top + 3).forEach(out::println);
      }

      touch(staying, awakeType, n, "awake");
      int awakeActive = awaitActive(node, awakeType, n);
      settle();
      long loadedAwake = heapAfterGc();
      double perAwake = (double) (loadedAwake - loaded) / awakeActive;
      out.printf("[heap] %,d active idle machines, awake (hibernation off): %.0f bytes per machine%n",
          awakeActive, perAwake);
      r.put("bytes_per_awake_idle_machine", Math.round(perAwake));
      ClusterSharding sharding = ClusterSharding.get(node.system);
      EntityTypeKey<IdleEntities.Get> esKey = EntityTypeKey.create(IdleEntities.Get.class, "idle-es-" + tag);
      sharding.init(Entity.of(esKey, ctx -> new IdleEntities.Es(PersistenceId.of(esKey.name(), ctx.getEntityId()))));
      double perEs = weigh(node, sharding, esKey, loadedAwake, "plain EventSourcedBehavior entities");
      long withEs = heapAfterGc();
      EntityTypeKey<IdleEntities.Get> actorKey = EntityTypeKey.create(IdleEntities.Get.class, "idle-actor-" + tag);
      sharding.init(Entity.of(actorKey, ctx -> IdleEntities.actor()));
      double perActor = weigh(node, sharding, actorKey, withEs, "plain actors");
      r.put("bytes_per_idle_es_entity", Math.round(perEs));
      r.put("bytes_per_idle_actor", Math.round(perActor));
      out.printf("[heap] per idle entity: rsm machine %.0f B hibernated, %.0f B awake; plain EventSourcedBehavior "
          + "%.0f B (awake rsm ÷ es %.2f); plain actor %.0f B%n", perMachine, perAwake, perEs, perAwake / perEs, perActor);
      r.putAll(weighHub(node, config, tag));
      r.put("targets", java.util.List.of(
          Map.of("target", "heap per active idle machine <= 2 KB (hibernated, as idle machines are after hibernate-after)",
              "measured", Math.round(perMachine), "awake", Math.round(perAwake),
              "holds", perMachine <= 2048),
          Map.of("target", o.heapCycle() + " machines created and passivated leave the heap where it started",
              "measured_kb", (after - before) / 1024, "holds", after - before <= Math.max(8L << 20, before / 20))));
    }
    return r;
  }

  /**
   * Starts {@code --heap-machines} + 1 entities of {@code key} and returns the heap growth over
   * {@code base} per entity.
   */
  private double weigh(Node node, ClusterSharding sharding, EntityTypeKey<IdleEntities.Get> key, long base,
      String what) throws Exception {
    int n = o.heapMachines() + 1;
    askAll(n, what, i -> sharding.entityRefFor(key, "m-" + i).<Long>ask(IdleEntities.Get::new, ASK));
    int active = awaitActive(node, key.name(), n);
    settle();
    double per = (double) (heapAfterGc() - base) / active;
    out.printf("[heap] %,d active idle %s: %.0f bytes each%n", active, what, per);
    return per;
  }

  /**
   * (4) One machine at the bounds a client or its neighbours can push it to: {@code
   * --heap-hub-keys} inputs with idempotency keys (the default is {@code idempotency.max-keys}) and
   * {@code --heap-hub-peers} machines it exchanged messages with, each way. Weighed as growth over
   * the hub and its peers with one step each, all hibernated; the channel figure counts both ends
   * (the hub's entry for each peer and each peer's entry for the hub). Also reads the size of the
   * hub's latest snapshot, which carries every key with its reply and every channel.
   */
  private Map<String, Object> weighHub(Node node, com.typesafe.config.Config config, String tag) throws Exception {
    int keys = o.heapHubKeys();
    int peers = o.heapHubPeers();
    MachineType<HubMachine.Input, HubMachine.State> hubType = HubMachine.type("hub-" + tag);
    Set<Address> hibernated = ConcurrentHashMap.newKeySet();
    RuntimeSettings settings = RuntimeSettings.fromConfig(ConfigFactory.parseString(
        "passivate-after = 1h, hibernate-after = 2s, idempotency.max-keys = " + Math.max(keys, 1)
            // a snapshot after every row, so that the latest one holds everything the hub had
            + ", snapshot-every = 1")
        .withFallback(config));
    Machines machines = ShardedRuntime.start(node.system, MachineRegistry.of(hubType),
        RuntimeOptions.defaults().withSettings(settings).withObserver(new StepObserver() {
          @Override
          public void stepJournaled(Address machine, Object input, long seqNr) {
            hibernated.remove(machine);
          }

          @Override
          public void hibernated(Address machine) {
            hibernated.add(machine);
          }

          @Override
          public void woke(Address machine) {
            hibernated.remove(machine);
          }
        })).machines();
    Address hub = hubType.address("hub");
    askAll(peers + 1, "hub and peers", i -> machines.ask(hubType.address(i == peers ? "hub" : "peer-" + i), null,
        new HubMachine.Add(0), ASK));
    awaitHibernated(hibernated, peers + 1);
    settle();
    long base = heapAfterGc();

    askAll(keys, "keyed inputs to the hub", i -> machines.ask(hub, "key-" + tag + "-" + i, new HubMachine.Add(1), ASK));
    awaitHibernated(hibernated, peers + 1);
    settle();
    long withKeys = heapAfterGc();
    double perKey = keys == 0 ? 0 : (double) (withKeys - base) / keys;
    out.printf("[heap] a machine with %,d idempotency keys (and their replies): %+,d KB, %.0f bytes per key%n",
        keys, (withKeys - base) / 1024, perKey);

    askAll(peers, "payments to peers", i -> machines.ask(hub, null, new HubMachine.Pay(hubType.name(), "peer-" + i), ASK));
    long expected = keys + peers;
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    MachineView view;
    do {
      view = machines.state(hub, ASK).toCompletableFuture().get();
      if (view.state().equals(new HubMachine.State(expected)) && view.unackedOutputs() == 0) break;
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
    if (!view.state().equals(new HubMachine.State(expected)))
      throw new IllegalStateException("the hub did not get every credit back: " + view);
    awaitHibernated(hibernated, peers + 1);
    settle();
    long withPeers = heapAfterGc();
    double perPair = peers == 0 ? 0 : (double) (withPeers - withKeys) / peers;
    long snapshot = latestSnapshotBytes(hub.persistenceId());
    out.printf("[heap] the same machine after exchanging with %,d peers: %+,d KB for both ends' channels, %.0f bytes "
        + "per peer (its entries for the peer and the peer's for it, each way); its latest snapshot %,d bytes%n",
        peers, (withPeers - withKeys) / 1024, perPair, snapshot);
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("hub_keys", keys);
    r.put("hub_peers", peers);
    r.put("hub_bytes_for_keys", withKeys - base);
    r.put("hub_bytes_per_key", Math.round(perKey));
    r.put("hub_bytes_for_peer_channels_both_ends", withPeers - withKeys);
    r.put("hub_bytes_per_peer_both_ends", Math.round(perPair));
    r.put("hub_snapshot_bytes", snapshot);
    return r;
  }

  /** The size of the latest snapshot of {@code persistenceId} in the store, or -1 without one. */
  private long latestSnapshotBytes(String persistenceId) throws java.sql.SQLException {
    String table = store.kind.equals("postgres") ? "snapshot" : "\"snapshot\"";
    String sql = store.kind.equals("postgres")
        ? "SELECT octet_length(snapshot_payload) FROM snapshot WHERE persistence_id = ? ORDER BY sequence_number DESC LIMIT 1"
        : "SELECT OCTET_LENGTH(\"snapshot_payload\") FROM " + table
            + " WHERE \"persistence_id\" = ? ORDER BY \"sequence_number\" DESC LIMIT 1";
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(store.url, store.user, store.password);
        java.sql.PreparedStatement st = c.prepareStatement(sql)) {
      st.setString(1, persistenceId);
      try (java.sql.ResultSet rs = st.executeQuery()) {
        return rs.next() ? rs.getLong(1) : -1;
      }
    }
  }

  /** Waits until {@code n} distinct machines reported that they hibernated. */
  private void awaitHibernated(Set<Address> hibernated, int n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (hibernated.size() < n && System.nanoTime() < deadline) Thread.sleep(200);
    out.printf("[heap] %,d of %,d machines hibernated%n", hibernated.size(), n);
    if (hibernated.size() < n) throw new IllegalStateException("only " + hibernated.size() + " of " + n + " machines hibernated");
  }

  private void settle() throws InterruptedException {
    if (o.heapSettle().isZero()) return;
    out.printf("[heap] waiting %d s for cancelled timeouts to leave the scheduler%n", o.heapSettle().toSeconds());
    Thread.sleep(o.heapSettle().toMillis());
  }

  /**
   * Has machines 1..n take one step each (a read would not start a machine that was never
   * written); again later, a step that adds nothing.
   */
  private void touch(Machines machines, MachineType<?, ?> type, int n, String what) throws InterruptedException {
    askAll(n, what, i -> machines.ask(type.address("m-" + i), null, new IdleMachine.Add(0), ASK));
  }

  /** Sends {@code ask(i)} for i in 0..n-1, 1,000 at a time, and waits for every answer. */
  private void askAll(int n, String what, IntFunction<CompletionStage<?>> ask) throws InterruptedException {
    Semaphore window = new Semaphore(1000);
    AtomicLong failed = new AtomicLong();
    long lastReport = System.nanoTime();
    for (int i = 0; i < n; i++) {
      window.acquire();
      ask.apply(i).whenComplete((v, e) -> {
        if (e != null) failed.incrementAndGet();
        window.release();
      });
      if (System.nanoTime() - lastReport > 5_000_000_000L) {
        out.printf("[heap] %s %,d of %,d%n", what, i, n);
        lastReport = System.nanoTime();
      }
    }
    window.acquire(1000);
    if (failed.get() > 0) throw new IllegalStateException(failed.get() + " entities did not answer (" + what + ")");
  }

  /** Waits until sharding hosts {@code n} machines of {@code type}; returns how many it hosts. */
  private int awaitActive(Node node, MachineType<?, ?> type, int n) throws Exception {
    return awaitActive(node, ShardedRuntime.typeKey(type.name()).name(), n);
  }

  private int awaitActive(Node node, String typeName, int n) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    int count;
    do {
      CurrentShardRegionState s = AskPattern.<org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery, CurrentShardRegionState>ask(
          ClusterSharding.get(node.system).shardState(),
          replyTo -> new GetShardRegionState(EntityTypeKey.create(Object.class, typeName), replyTo),
          Duration.ofSeconds(10), node.system.scheduler()).toCompletableFuture().get();
      count = s.getShards().stream().mapToInt(sh -> sh.getEntityIds().size()).sum();
      if (count == n) return count;
      Thread.sleep(500);
    } while (System.nanoTime() < deadline);
    return count;
  }

  private long heapAfterGc() throws InterruptedException {
    long min = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(300);
      min = Math.min(min, memory.getHeapMemoryUsage().getUsed());
    }
    return min;
  }
}
