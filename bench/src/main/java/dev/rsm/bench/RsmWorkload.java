package dev.rsm.bench;

import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.Address;
import dev.rsm.actors.MachineType;
import dev.rsm.persistence.IngressResult;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.RuntimeOptions;
import dev.rsm.persistence.RuntimeSettings;
import dev.rsm.persistence.StepObserver;
import dev.rsm.app.metrics.RsmMetrics;
import dev.rsm.persistence.internal.Envelopes;
import dev.rsm.sharding.ShardedRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * rsm: exactly-once machine-to-machine messages through the real runtime on Cluster Sharding.
 *
 * <p>Closed loop ({@code rate == 0}): {@code inFlight} tokens circulate forever among {@code
 * machines} {@link HopMachine}s; each arrival is one step of the receiving machine, journaled with
 * the send of the next hop, then acknowledged to its sender. Open loop ({@code rate > 0}): the
 * driver injects tokens of {@link #OPEN_LOOP_HOPS} hops at a fixed rate of messages per second,
 * which is how latency at a given throughput is measured.
 *
 * <p>Per-hop latency is taken from outside the handlers (which must stay pure) by a {@link
 * StepObserver}: the time from the sender's step being journaled to the receiver's step being
 * journaled, which covers sending through sharding, queueing, the handler and the journal write.
 */
final class RsmWorkload implements Workload {
  static final int OPEN_LOOP_HOPS = 20;
  private static final int OPEN_LOOP_SLOTS = 1 << 16;

  private final Store store;
  private final String tag;
  private final int machines;
  private final int inFlight;
  private final double rate;
  private final String payload;
  private final Meter meter;
  private final AtomicLong failedInjections = new AtomicLong();
  private final boolean leases;
  private final boolean metrics;
  private final boolean calls;
  private Node node;
  private ScheduledExecutorService injector;

  RsmWorkload(Store store, String tag, int machines, int inFlight, double rate, int payloadBytes) {
    this(store, tag, machines, inFlight, rate, payloadBytes, true);
  }

  /** {@code leases} false: shards without leases (pekko.cluster.sharding.use-lease = ""), the baseline of their cost. */
  RsmWorkload(Store store, String tag, int machines, int inFlight, double rate, int payloadBytes, boolean leases) {
    this(store, tag, machines, inFlight, rate, payloadBytes, leases, false);
  }

  /** {@code metrics}: the node records the runtime's metrics as a node does by default (RsmMetrics). */
  RsmWorkload(Store store, String tag, int machines, int inFlight, double rate, int payloadBytes, boolean leases,
      boolean metrics) {
    this(store, tag, machines, inFlight, rate, payloadBytes, leases, metrics, false);
  }

  /** {@code calls}: tokens move by calls, each answered ({@link CallMachine}), instead of sends. */
  RsmWorkload(Store store, String tag, int machines, int inFlight, double rate, int payloadBytes, boolean leases,
      boolean metrics, boolean calls) {
    this.calls = calls;
    this.leases = leases;
    this.metrics = metrics;
    this.store = store;
    this.tag = tag;
    this.machines = machines;
    this.inFlight = inFlight;
    this.rate = rate;
    this.payload = Route.payload(payloadBytes);
    this.meter = new Meter(rate > 0 ? OPEN_LOOP_SLOTS : inFlight);
  }

  @Override
  public String name() {
    String name = (leases ? "rsm" : "rsm without leases") + (metrics ? " with metrics" : "") + (calls ? " by calls" : "");
    return rate > 0 ? String.format("%s at %,d msgs/s", name, Math.round(rate)) : name + " " + inFlight + " in flight";
  }

  String typeName() {
    return "hop-" + tag;
  }

  @Override
  public void start() throws Exception {
    if (calls) {
      startCalls();
      return;
    }
    node = new Node("rsm", store, leases ? ConfigFactory.empty()
        : ConfigFactory.parseMap(java.util.Map.of("pekko.cluster.sharding.use-lease", "")));
    MachineType<HopMachine.Input, HopMachine.State> type = MachineType.of(typeName(), HopMachine::new);
    StepObserver observer = (machine, input, seqNr) -> {
      if (input instanceof HopMachine.Token t) meter.hop(t.token());
      else if (input instanceof HopMachine.Inject i) meter.start(i.token());
    };
    MachineRegistry types = MachineRegistry.of(type);
    ShardedRuntime rsm = ShardedRuntime.start(node.system, types,
        RuntimeOptions.defaults().withObserver(metrics ? RsmMetrics.get(node.system).observe(types, observer) : observer));
    // Start (recover) every machine first, so that neither loop measures machine creation.
    List<CompletableFuture<?>> started = new ArrayList<>();
    for (int m = 0; m < machines; m++)
      started.add(rsm.machines().state(type.address("m-" + m), Duration.ofSeconds(60)).toCompletableFuture());
    for (CompletableFuture<?> f : started) f.get();
    if (rate <= 0) {
      List<CompletableFuture<IngressResult>> replies = new ArrayList<>();
      for (int t = 0; t < inFlight; t++)
        replies.add(rsm.machines().ask(type.address("m-" + (t % machines)), "inject-" + t,
            new HopMachine.Inject(t, -1, machines, payload), Duration.ofSeconds(60)).toCompletableFuture());
      for (CompletableFuture<IngressResult> r : replies)
        if (!(r.get() instanceof IngressResult.Replied))
          throw new IllegalStateException("injecting a token failed: " + r.get());
      return;
    }
    // Open loop: every 5 ms, inject the tokens due so far; each makes OPEN_LOOP_HOPS hops.
    double tokensPerNano = rate / OPEN_LOOP_HOPS / 1e9;
    long t0 = System.nanoTime();
    AtomicLong injected = new AtomicLong();
    injector = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "rsm-injector"));
    injector.scheduleAtFixedRate(() -> {
      long due = (long) ((System.nanoTime() - t0) * tokensPerNano);
      for (long n = injected.get(); n < due; n = injected.incrementAndGet()) {
        int t = (int) (n % OPEN_LOOP_SLOTS);
        rsm.machines().ask(type.address("m-" + (n % machines)), null,
                new HopMachine.Inject(t, OPEN_LOOP_HOPS, machines, payload), Duration.ofSeconds(30))
            .whenComplete((r, e) -> {
              if (e != null || !(r instanceof IngressResult.Replied)) failedInjections.incrementAndGet();
            });
      }
    }, 0, 5, TimeUnit.MILLISECONDS);
  }

  /** The calls workload: a closed loop of tokens moved by calls, each step one message. */
  private void startCalls() throws Exception {
    if (rate > 0) throw new IllegalArgumentException("the calls workload is a closed loop only");
    node = new Node("rsm", store, ConfigFactory.empty());
    MachineType<CallMachine.Input, CallMachine.State> type = MachineType.of(typeName(), CallMachine::new);
    StepObserver observer = (machine, input, seqNr) -> {
      if (input instanceof Envelopes.CallRequest r && r.input() instanceof CallMachine.Ping p) meter.hop(p.token());
      else if (input instanceof Envelopes.CallReply r && r.request() instanceof CallMachine.Ping p) meter.hop(p.token());
      else if (input instanceof CallMachine.Inject i) meter.start(i.token());
    };
    ShardedRuntime rsm = ShardedRuntime.start(node.system, MachineRegistry.of(type),
        RuntimeOptions.defaults().withObserver(observer));
    List<CompletableFuture<?>> started = new ArrayList<>();
    for (int m = 0; m < machines; m++)
      started.add(rsm.machines().state(type.address("m-" + m), Duration.ofSeconds(60)).toCompletableFuture());
    for (CompletableFuture<?> f : started) f.get();
    List<CompletableFuture<IngressResult>> replies = new ArrayList<>();
    for (int t = 0; t < inFlight; t++)
      replies.add(rsm.machines().ask(type.address("m-" + (t % machines)), "inject-" + t,
          new CallMachine.Inject(t, machines, payload), Duration.ofSeconds(60)).toCompletableFuture());
    for (CompletableFuture<IngressResult> r : replies)
      if (!(r.get() instanceof IngressResult.Replied))
        throw new IllegalStateException("injecting a token failed: " + r.get());
  }

  @Override
  public Meter meter() {
    return meter;
  }

  @Override
  public long journalRows() {
    return Journal.rows(store, "rsm|" + typeName() + "|");
  }

  @Override
  public Map<String, Object> facts() {
    Map<String, Object> f = new java.util.LinkedHashMap<>(Journal.rowStats(store, "rsm|" + typeName() + "|"));
    if (rate > 0) {
      f.put("target_msgs_per_s", Math.round(rate));
      f.put("failed_injections", failedInjections.get());
    } else if (!calls) { // the takeover figure is the rsm workload's
      f.putAll(recovery());
    }
    return f;
  }

  /**
   * What taking over the machines costs after their node is gone: on a fresh node, the time until
   * every machine answers a state read, which is loading its latest snapshot and replaying the rows
   * after it (at most {@code snapshot-every}); sharding's remember-entities restarts a shard's
   * machines together when the shard starts, as after a node failure.
   */
  private Map<String, Object> recovery() {
    Map<String, Object> f = new java.util.LinkedHashMap<>();
    try (Node fresh = new Node("rsm-recovery", store, ConfigFactory.empty())) {
      MachineType<HopMachine.Input, HopMachine.State> type = MachineType.of(typeName(), HopMachine::new);
      RuntimeSettings settings = RuntimeSettings.create(fresh.system);
      ShardedRuntime rsm = ShardedRuntime.start(fresh.system, MachineRegistry.of(type),
          RuntimeOptions.defaults().withSettings(settings));
      long t0 = System.nanoTime();
      List<CompletableFuture<?>> states = new ArrayList<>();
      for (int m = 0; m < machines; m++)
        states.add(rsm.machines().state(type.address("m-" + m), Duration.ofSeconds(120)).toCompletableFuture());
      for (CompletableFuture<?> s : states) s.get();
      f.put("recovery_all_ms", Math.round((System.nanoTime() - t0) / 1e6));
      f.put("snapshot_every_rows", settings.snapshotEvery());
    } catch (Exception e) {
      f.put("recovery_error", String.valueOf(e));
    }
    return f;
  }

  @Override
  public void close() throws Exception {
    if (injector != null) injector.shutdownNow();
    if (node != null) node.close();
  }
}
