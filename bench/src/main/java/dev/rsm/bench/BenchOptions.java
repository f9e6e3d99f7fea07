package dev.rsm.bench;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The command line of the benchmark; {@link #USAGE} lists every option and its default. */
public record BenchOptions(
    String mode,
    String store,
    String url,
    String user,
    String password,
    int machines,
    int inFlight,
    int loadedInFlight,
    Duration duration,
    Duration warmup,
    int payload,
    List<String> workloads,
    int runs,
    int dbBatch,
    int dbThreads,
    int rdProducers,
    int heapMachines,
    int heapCycle,
    Duration heapSettle,
    int heapHubKeys,
    int heapHubPeers,
    boolean latencyAtHalf,
    boolean fork,
    Path out,
    Child child) {

  /**
   * Set in a forked JVM only: the one workload it measures ({@code rsm}, {@code rsm_loaded}, each
   * with its half-rate open loop, {@code es}, {@code es_loaded}, {@code rd}, {@code db}), its
   * persistence-id tag, the open loop's rate, the db row size, and
   * the file its results go to.
   */
  public record Child(String workload, String tag, double rate, int rowBytes, int serverPort, Path result) {}

  /** The embedded PostgreSQL's port passed to a forked workload, for its CPU figures (0: none). */
  int serverPort() {
    return child == null ? 0 : child.serverPort();
  }


  static final String USAGE = """
      java -jar bench/target/rsm-bench.jar [options]

        --mode throughput|heap   what to measure (throughput)
        --store h2|postgres|url  embedded H2 file database, embedded PostgreSQL, or --url (h2)
        --url JDBC_URL           an external database (implies --store url); --user, --password
        --machines N             machines (rsm) / entities (es, rd) (200)
        --in-flight K            messages in flight, the same for rsm, es and rd (200)
        --loaded-in-flight K     messages in flight in the loaded pair, rsm and es again with
                                 several messages queued per machine (1000)
        --duration D             measured time per workload, e.g. 30s (30s)
        --warmup D               unmeasured time before it (10s)
        --payload B              bytes of payload per message (64)
        --workloads LIST         which of rsm,unleased,metrics,calls,es,loaded,rd,db to run, in
                                 that order (unleased: rsm with shards run without leases, for
                                 their cost; metrics: rsm recording the node's metrics, for theirs;
                                 calls: rsm's tokens moved by calls, a call and its answer against
                                 two sends; none of these in the default list)
                                 (rsm,es,loaded,rd,db); loaded is the pair rsm and es at
                                 --loaded-in-flight
        --runs N                 repeat the whole set N times; the table shows medians (1)
        --db-batch N             rows per commit in the db workload (100)
        --db-threads N           connections inserting in parallel in the db workload (4)
        --rd-producers N         ShardingProducerControllers in the rd workload (8)
        --heap-machines N        heap mode: machines kept active and idle to weigh one (20000)
        --heap-cycle N           heap mode: machines created and passivated (1000000)
        --heap-settle D          heap mode: wait before each reading, until the timeouts that
                                 starting entities scheduled and cancelled (asks, recovery)
                                 have left Pekko's scheduler (35s)
        --heap-hub-keys N        heap mode: idempotency keys of the machine weighed at its
                                 bounds (10000, the default idempotency.max-keys)
        --heap-hub-peers N       heap mode: machines it exchanges messages with (1000)
        --latency-at-half B      after rsm, measure its latency at half its throughput (true)
        --fork B                 each workload in a fresh JVM, as JMH forks, so that none runs
                                 on code the JIT compiled for another (true)
        --out DIR                where results.json and results.md go (bench/target, else target)
      """;

  public static BenchOptions parse(String... args) {
    String mode = "throughput", store = "h2", url = null, user = "postgres", password = "";
    int machines = 200, inFlight = 200, loadedInFlight = 1000, payload = 64, runs = 1, dbBatch = 100, dbThreads = 4,
        rdProducers = 8, heapMachines = 20_000, heapCycle = 1_000_000, heapHubKeys = 10_000, heapHubPeers = 1_000;
    boolean latencyAtHalf = true, fork = true;
    String childWorkload = null, childTag = null;
    double childRate = 0;
    int childRowBytes = 0, childServerPort = 0;
    Path childResult = null;
    Duration duration = Duration.ofSeconds(30), warmup = Duration.ofSeconds(10), heapSettle = Duration.ofSeconds(35);
    List<String> workloads = List.of("rsm", "es", "loaded", "rd", "db");
    Path out = Path.of("bench/target").toFile().isDirectory() ? Path.of("bench/target") : Path.of("target");
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) throw new IllegalArgumentException(USAGE);
      if (i + 1 >= args.length) throw new IllegalArgumentException("missing value for " + a + "\n" + USAGE);
      String v = args[++i];
      switch (a) {
        case "--mode" -> mode = oneOf(a, v, "throughput", "heap");
        case "--store" -> store = oneOf(a, v, "h2", "postgres", "url");
        case "--url" -> { url = v; store = "url"; }
        case "--user" -> user = v;
        case "--password" -> password = v;
        case "--machines" -> machines = positive(a, v);
        case "--in-flight" -> inFlight = positive(a, v);
        case "--loaded-in-flight" -> loadedInFlight = positive(a, v);
        case "--duration" -> duration = duration(a, v);
        case "--warmup" -> warmup = duration(a, v);
        case "--payload" -> payload = positive(a, v);
        case "--workloads" -> workloads = workloads(v);
        case "--runs" -> runs = positive(a, v);
        case "--db-batch" -> dbBatch = positive(a, v);
        case "--db-threads" -> dbThreads = positive(a, v);
        case "--rd-producers" -> rdProducers = positive(a, v);
        case "--heap-machines" -> heapMachines = positive(a, v);
        case "--heap-cycle" -> heapCycle = positive(a, v);
        case "--heap-settle" -> heapSettle = duration(a, v);
        case "--heap-hub-keys" -> heapHubKeys = positive(a, v);
        case "--heap-hub-peers" -> heapHubPeers = positive(a, v);
        case "--latency-at-half" -> latencyAtHalf = Boolean.parseBoolean(oneOf(a, v, "true", "false"));
        case "--out" -> out = Path.of(v);
        case "--fork" -> fork = Boolean.parseBoolean(oneOf(a, v, "true", "false"));
        // Set by the parent for a forked workload; not for users.
        case "--child" -> childWorkload = oneOf(a, v, "rsm", "rsm_loaded", "rsm_unleased", "rsm_metrics", "rsm_calls", "es", "es_loaded", "rd", "db");
        case "--child-tag" -> childTag = v;
        case "--child-rate" -> childRate = Double.parseDouble(v);
        case "--child-row-bytes" -> childRowBytes = positive(a, v);
        case "--child-server-port" -> childServerPort = Integer.parseInt(v);
        case "--child-result" -> childResult = Path.of(v);
        default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
      }
    }
    if (store.equals("url") && url == null) throw new IllegalArgumentException("--store url needs --url");
    Child child = childWorkload == null ? null
        : new Child(childWorkload, childTag, childRate, childRowBytes, childServerPort, childResult);
    return new BenchOptions(mode, store, url, user, password, machines, inFlight, loadedInFlight, duration, warmup,
        payload, workloads, runs, dbBatch, dbThreads, rdProducers, heapMachines, heapCycle, heapSettle, heapHubKeys, heapHubPeers, latencyAtHalf,
        fork, out, child);
  }

  private static String oneOf(String option, String v, String... allowed) {
    if (!Arrays.asList(allowed).contains(v))
      throw new IllegalArgumentException(option + " must be one of " + Arrays.toString(allowed) + ", not " + v);
    return v;
  }

  private static int positive(String option, String v) {
    try {
      int n = Integer.parseInt(v.replace("_", ""));
      if (n > 0) return n;
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IllegalArgumentException(option + " must be a positive integer, not " + v);
  }

  private static Duration duration(String option, String v) {
    try {
      return ConfigFactory.parseString("d = " + v).getDuration("d");
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(option + " must be a duration such as 500ms or 30s, not " + v);
    }
  }

  private static List<String> workloads(String v) {
    List<String> out = new ArrayList<>();
    for (String w : v.split(",")) out.add(oneOf("--workloads", w.trim(), "rsm", "unleased", "metrics", "calls", "es", "loaded", "rd", "db"));
    return List.copyOf(out);
  }
}
