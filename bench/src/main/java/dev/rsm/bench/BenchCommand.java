package dev.rsm.bench;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * The benchmark's command line (picocli): every option, its default and its meaning, as {@code
 * --help} prints them. {@link #options()} checks what a single option cannot and returns {@link
 * BenchOptions}; {@link #call()} runs the benchmark with them.
 */
@Command(
    name = "java -jar bench/target/rsm-bench.jar",
    sortOptions = false,
    abbreviateSynopsis = true,
    usageHelpWidth = 100,
    description = "Exactly-once RSM next to plain Pekko event sourcing (es), Pekko Reliable Delivery (rd) "
        + "and raw JDBC (db), on one store; see docs/performance.md.")
final class BenchCommand implements Callable<Integer> {
  private static final String[] WORKLOADS = {"rsm", "unleased", "metrics", "calls", "es", "loaded", "rd", "db"};

  @Spec CommandSpec spec;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this list and exit")
  boolean help;

  @Option(names = "--mode", paramLabel = "throughput|heap", description = "what to measure (${DEFAULT-VALUE})")
  String mode = "throughput";

  String store = "h2";

  String url;

  @Option(names = "--store", paramLabel = "h2|postgres|url", order = 1,
      description = "embedded H2 file database, embedded PostgreSQL, or --url (h2)")
  void store(String v) {
    store = v;
  }

  /** Like the other options, the later of --store and --url wins. */
  @Option(names = "--url", paramLabel = "JDBC_URL", order = 2,
      description = "an external database (implies --store url); --user, --password")
  void url(String v) {
    url = v;
    store = "url";
  }

  @Option(names = "--user", paramLabel = "USER", order = 3, description = "the external database's user (${DEFAULT-VALUE})")
  String user = "postgres";

  @Option(names = "--password", paramLabel = "PASSWORD", order = 4, description = "its password (empty)")
  String password = "";

  @Option(names = "--machines", paramLabel = "N", order = 5, converter = Positive.class,
      description = "machines (rsm) / entities (es, rd) (${DEFAULT-VALUE})")
  int machines = 200;

  @Option(names = "--in-flight", paramLabel = "K", order = 6, converter = Positive.class,
      description = "messages in flight, the same for rsm, es and rd (${DEFAULT-VALUE})")
  int inFlight = 200;

  @Option(names = "--loaded-in-flight", paramLabel = "K", order = 7, converter = Positive.class,
      description = "messages in flight in the loaded pair, rsm and es again with several messages queued "
          + "per machine (${DEFAULT-VALUE})")
  int loadedInFlight = 1000;

  @Option(names = "--duration", paramLabel = "D", order = 8, converter = Length.class,
      description = "measured time per workload, e.g. 30s (30s)")
  Duration duration = Duration.ofSeconds(30);

  @Option(names = "--warmup", paramLabel = "D", order = 9, converter = Length.class,
      description = "unmeasured time before it (10s)")
  Duration warmup = Duration.ofSeconds(10);

  @Option(names = "--payload", paramLabel = "B", order = 10, converter = Positive.class,
      description = "bytes of payload per message (${DEFAULT-VALUE})")
  int payload = 64;

  @Option(names = "--workloads", paramLabel = "LIST", order = 11, split = ",", defaultValue = "rsm,es,loaded,rd,db",
      description = "which of rsm,unleased,metrics,calls,es,loaded,rd,db to run, in that order (unleased: rsm "
          + "with shards run without leases, for their cost; metrics: rsm recording the node's metrics, for "
          + "theirs; calls: rsm's tokens moved by calls, a call and its answer against two sends; none of "
          + "these in the default list) (rsm,es,loaded,rd,db); loaded is the pair rsm and es at "
          + "--loaded-in-flight")
  List<String> workloads;

  @Option(names = "--runs", paramLabel = "N", order = 12, converter = Positive.class,
      description = "repeat the whole set N times; the table shows medians (${DEFAULT-VALUE})")
  int runs = 1;

  @Option(names = "--db-batch", paramLabel = "N", order = 13, converter = Positive.class,
      description = "rows per commit in the db workload (${DEFAULT-VALUE})")
  int dbBatch = 100;

  @Option(names = "--db-threads", paramLabel = "N", order = 14, converter = Positive.class,
      description = "connections inserting in parallel in the db workload (${DEFAULT-VALUE})")
  int dbThreads = 4;

  @Option(names = "--rd-producers", paramLabel = "N", order = 15, converter = Positive.class,
      description = "ShardingProducerControllers in the rd workload (${DEFAULT-VALUE})")
  int rdProducers = 8;

  @Option(names = "--heap-machines", paramLabel = "N", order = 16, converter = Positive.class,
      description = "heap mode: machines kept active and idle to weigh one (${DEFAULT-VALUE})")
  int heapMachines = 20_000;

  @Option(names = "--heap-cycle", paramLabel = "N", order = 17, converter = Positive.class,
      description = "heap mode: machines created and passivated (${DEFAULT-VALUE})")
  int heapCycle = 1_000_000;

  @Option(names = "--heap-settle", paramLabel = "D", order = 18, converter = Length.class,
      description = "heap mode: wait before each reading, until the timeouts that starting entities "
          + "scheduled and cancelled (asks, recovery) have left Pekko's scheduler (35s)")
  Duration heapSettle = Duration.ofSeconds(35);

  @Option(names = "--heap-hub-keys", paramLabel = "N", order = 19, converter = Positive.class,
      description = "heap mode: idempotency keys of the machine weighed at its bounds (${DEFAULT-VALUE}, the "
          + "default idempotency.max-keys)")
  int heapHubKeys = 10_000;

  @Option(names = "--heap-hub-peers", paramLabel = "N", order = 20, converter = Positive.class,
      description = "heap mode: machines it exchanges messages with (${DEFAULT-VALUE})")
  int heapHubPeers = 1_000;

  @Option(names = "--latency-at-half", paramLabel = "B", order = 21, arity = "1",
      description = "after rsm, measure its latency at half its throughput (${DEFAULT-VALUE})")
  boolean latencyAtHalf = true;

  @Option(names = "--fork", paramLabel = "B", order = 22, arity = "1",
      description = "each workload in a fresh JVM, as JMH forks, so that none runs on code the JIT compiled "
          + "for another (${DEFAULT-VALUE})")
  boolean fork = true;

  @Option(names = "--out", paramLabel = "DIR", order = 23,
      description = "where results.json and results.md go (bench/target, else target)")
  Path out;

  // Set by the parent for a forked workload; not for users.
  @Option(names = "--child", hidden = true)
  String childWorkload;

  @Option(names = "--child-tag", hidden = true)
  String childTag;

  @Option(names = "--child-rate", hidden = true)
  double childRate;

  @Option(names = "--child-row-bytes", hidden = true, converter = Positive.class)
  int childRowBytes;

  @Option(names = "--child-server-port", hidden = true)
  int childServerPort;

  @Option(names = "--child-result", hidden = true)
  Path childResult;

  /** The options, checked together. */
  BenchOptions options() {
    oneOf("--mode", mode, "throughput", "heap");
    oneOf("--store", store, "h2", "postgres", "url");
    for (String w : workloads) oneOf("--workloads", w, WORKLOADS);
    if (store.equals("url") && url == null) throw new ParameterException(spec.commandLine(), "--store url needs --url");
    BenchOptions.Child child = null;
    if (childWorkload != null) {
      oneOf("--child", childWorkload, "rsm", "rsm_loaded", "rsm_unleased", "rsm_metrics", "rsm_calls", "es",
          "es_loaded", "rd", "db");
      child = new BenchOptions.Child(childWorkload, childTag, childRate, childRowBytes, childServerPort, childResult);
    }
    Path dir = out != null ? out
        : Path.of("bench/target").toFile().isDirectory() ? Path.of("bench/target") : Path.of("target");
    return new BenchOptions(mode, store, url, user, password, machines, inFlight, loadedInFlight, duration, warmup,
        payload, List.copyOf(workloads), runs, dbBatch, dbThreads, rdProducers, heapMachines, heapCycle, heapSettle,
        heapHubKeys, heapHubPeers, latencyAtHalf, fork, dir, child);
  }

  @Override
  public Integer call() throws Exception {
    Main.start(options());
    return 0;
  }

  private void oneOf(String option, String v, String... allowed) {
    if (!Arrays.asList(allowed).contains(v))
      throw new ParameterException(spec.commandLine(),
          option + " must be one of " + Arrays.toString(allowed) + ", not " + v);
  }

  /** A positive integer; {@code 1_000_000} is read as a million. */
  static final class Positive implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String v) {
      try {
        int n = Integer.parseInt(v.replace("_", ""));
        if (n > 0) return n;
      } catch (NumberFormatException ignored) {
        // reported below
      }
      throw new TypeConversionException("must be a positive integer, not " + v);
    }
  }

  /** A duration in HOCON's notation, as the configuration files write them: 500ms, 30s, 2m. */
  static final class Length implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String v) {
      try {
        return ConfigFactory.parseString("d = " + v).getDuration("d");
      } catch (RuntimeException e) {
        throw new TypeConversionException("must be a duration such as 500ms or 30s, not " + v);
      }
    }
  }
}
