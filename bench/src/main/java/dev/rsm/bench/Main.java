package dev.rsm.bench;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * The benchmark: exactly-once RSM next to plain Pekko event sourcing (es), Pekko Reliable Delivery
 * (rd) and raw JDBC (db), in one JVM, on one store, each workload in turn for {@code --duration}.
 * Prints a table and writes {@code results.json} and {@code results.md}. See the README's
 * "Performance" section for what each workload does and how to read the figures.
 */
public final class Main {
  private Main() {}

  /** Exits with 0 after a run or {@code --help}, 2 on a wrong option (named, with the list), 1 on a failure. */
  public static void main(String[] args) {
    // exit: embedded PostgreSQL and Pekko leave non-daemon threads behind
    System.exit(new CommandLine(new BenchCommand()).execute(args));
  }

  /** Runs what the options ask for: the benchmark, or in a forked JVM its one workload. */
  static void start(BenchOptions o) throws Exception {
    if (o.child() != null) {
      runChild(o);
    } else {
      run(o, System.out);
    }
  }

  /** In a forked JVM: measure the one workload and write its figures for the parent. */
  private static void runChild(BenchOptions o) throws Exception {
    try (Store store = Store.open(o)) {
      BenchOptions.Child c = o.child();
      Runner runner = new Runner(System.out, store);
      Map<String, Map<String, Object>> r = c.workload().startsWith("rsm") ? rsmAndHalf(o, store, c.workload(), c.tag(), runner)
          : Map.of(c.workload(), inProcess(o, store, c.workload(), c.tag(), c.rate(), c.rowBytes(), runner));
      new com.fasterxml.jackson.databind.ObjectMapper().writeValue(c.result().toFile(), r);
    }
  }

  /** Runs the benchmark and returns what it wrote to results.json. */
  public static Map<String, Object> run(BenchOptions o, PrintStream out) throws Exception {
    try (Store store = Store.open(o)) {
      if (o.mode().equals("heap")) {
        Map<String, Object> heap = new HeapMode(o, store, out).run();
        Report.writeHeap(o, store, heap, out);
        return heap;
      }
      out.printf("store %s, %d machines, %d in flight (loaded: %d), %d-byte payload, %.1fs per workload (+%.1fs warm-up), %d run(s)%n",
          store.describe(), o.machines(), o.inFlight(), o.loadedInFlight(), o.payload(), o.duration().toMillis() / 1000.0, o.warmup().toMillis() / 1000.0, o.runs());
      List<Map<String, Map<String, Object>>> runs = new ArrayList<>();
      String id = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
      for (int i = 1; i <= o.runs(); i++) {
        out.printf("---- run %d of %d%n", i, o.runs());
        runs.add(oneRun(o, store, id + "-" + i, new Runner(out, store)));
      }
      Map<String, Object> results = Report.summarize(o, store, runs);
      Report.write(o, results, out);
      return results;
    }
  }

  private static Map<String, Map<String, Object>> oneRun(BenchOptions o, Store store, String tag, Runner runner)
      throws Exception {
    Map<String, Map<String, Object>> r = new LinkedHashMap<>();
    for (String w : o.workloads()) {
      switch (w) {
        case "rsm" -> r.putAll(rsmAndHalf(o, store, "rsm", tag, runner));
        case "unleased" -> r.putAll(rsmAndHalf(o, store, "rsm_unleased", tag + "-u", runner));
        case "metrics" -> r.putAll(rsmAndHalf(o, store, "rsm_metrics", tag + "-m", runner));
        case "calls" -> r.putAll(rsmAndHalf(o, store, "rsm_calls", tag + "-c", runner));
        case "loaded" -> {
          r.putAll(rsmAndHalf(o, store, "rsm_loaded", tag + "-l", runner));
          r.put("es_loaded", measure(o, store, "es_loaded", tag + "-l", 0, 0, runner));
        }
        case "db" -> {
          Object rsmRow = r.containsKey("rsm") ? r.get("rsm").get("bytes_per_row") : null;
          int rowBytes = rsmRow instanceof Number n && n.intValue() > 0 ? n.intValue() : o.payload() * 2 + 150;
          r.put("db", measure(o, store, "db", tag, 0, rowBytes, runner));
        }
        default -> r.put(w, measure(o, store, w, tag, 0, 0, runner));
      }
    }
    return r;
  }

  /**
   * The closed loop ({@code rsm} at --in-flight, {@code rsm_loaded} at --loaded-in-flight), then
   * (with --latency-at-half) latency at half its throughput: an open loop at half its rate, in the
   * same JVM, on code the closed loop warmed up — a node serving at half its capacity has been
   * running for a while, not starting cold. Forked, the pair runs in one fresh JVM.
   */
  private static Map<String, Map<String, Object>> rsmAndHalf(BenchOptions o, Store store, String name, String tag,
      Runner runner) throws Exception {
    if (o.fork() && o.child() == null) return forked(o, store, name, tag, 0, 0, runner.progress());
    Map<String, Map<String, Object>> r = new LinkedHashMap<>();
    r.put(name, inProcess(o, store, name, tag, 0, 0, runner));
    double half = ((Number) r.get(name).get("msgs_per_s")).doubleValue() / 2;
    // Without leases, with metrics, and by calls are throughput comparisons only: their open loops would
    // measure nothing new.
    if (half > 0 && o.latencyAtHalf() && !name.equals("rsm_unleased") && !name.equals("rsm_metrics")
        && !name.equals("rsm_calls"))
      r.put(name + "_half", inProcess(o, store, name + "_half", tag + "-h", half, 0, runner));
    return r;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> measure(BenchOptions o, Store store, String workload, String tag, double rate,
      int rowBytes, Runner runner) throws Exception {
    return o.fork() ? (Map<String, Object>) forked(o, store, workload, tag, rate, rowBytes, runner.progress()).get(workload)
        : inProcess(o, store, workload, tag, rate, rowBytes, runner);
  }

  private static Map<String, Object> inProcess(BenchOptions o, Store store, String workload, String tag, double rate,
      int rowBytes, Runner runner) throws Exception {
    Workload w = switch (workload) {
      case "rsm", "rsm_half" -> new RsmWorkload(store, tag, o.machines(), o.inFlight(), rate, o.payload());
      case "rsm_loaded", "rsm_loaded_half" -> new RsmWorkload(store, tag, o.machines(), o.loadedInFlight(), rate, o.payload());
      case "rsm_unleased", "rsm_unleased_half" ->
          new RsmWorkload(store, tag, o.machines(), o.inFlight(), rate, o.payload(), false);
      case "rsm_metrics" -> new RsmWorkload(store, tag, o.machines(), o.inFlight(), rate, o.payload(), true, true);
      case "rsm_calls" -> new RsmWorkload(store, tag, o.machines(), o.inFlight(), rate, o.payload(), true, false, true);
      case "es" -> new EsWorkload(store, tag, o.machines(), o.inFlight(), o.payload());
      case "es_loaded" -> new EsWorkload(store, tag, o.machines(), o.loadedInFlight(), o.payload());
      case "rd" -> new RdWorkload(store, tag, o.machines(), o.inFlight(), o.rdProducers(), o.payload());
      case "db" -> new DbWorkload(store, tag, o.dbThreads(), o.dbBatch(), rowBytes, o.machines());
      default -> throw new IllegalArgumentException(workload);
    };
    return runner.measure(w, o.warmup(), o.duration());
  }

  /**
   * The workload in a fresh JVM with this one's JVM options, on the same store: every workload
   * starts from cold code and an empty heap, instead of running on what the JIT compiled (and the
   * garbage collector sized) for the workloads before it. Its progress lines pass through.
   */
  private static Map<String, Map<String, Object>> forked(BenchOptions o, Store store, String workload, String tag,
      double rate, int rowBytes, PrintStream progress) throws Exception {
    Path result = Files.createTempFile("rsm-bench-" + workload + "-", ".json");
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments())
      if (!arg.startsWith("-agentlib:jdwp") && !arg.startsWith("-Xrunjdwp")) cmd.add(arg); // not a second debugger
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "--url", store.url, "--user", store.user, "--password", store.password,
        "--machines", String.valueOf(o.machines()), "--in-flight", String.valueOf(o.inFlight()),
        "--loaded-in-flight", String.valueOf(o.loadedInFlight()),
        "--duration", o.duration().toMillis() + "ms", "--warmup", o.warmup().toMillis() + "ms",
        "--payload", String.valueOf(o.payload()), "--db-batch", String.valueOf(o.dbBatch()),
        "--db-threads", String.valueOf(o.dbThreads()), "--rd-producers", String.valueOf(o.rdProducers()),
        "--child", workload, "--child-tag", tag, "--child-rate", String.valueOf(rate),
        "--latency-at-half", String.valueOf(o.latencyAtHalf()),
        "--child-server-port", String.valueOf(store.serverPort), "--child-result", result.toString()));
    if (rowBytes > 0) cmd.addAll(List.of("--child-row-bytes", String.valueOf(rowBytes)));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
        java.nio.charset.StandardCharsets.UTF_8))) {
      for (String line; (line = lines.readLine()) != null; )
        if (!line.startsWith("SLF4J(W)")) progress.println(line); // a child's logging start-up notes
    }
    int exit = p.waitFor();
    try {
      if (exit != 0 || Files.size(result) == 0)
        throw new IllegalStateException("the forked " + workload + " workload failed (exit " + exit + "), see its output above");
      @SuppressWarnings("unchecked")
      Map<String, Map<String, Object>> r = new com.fasterxml.jackson.databind.ObjectMapper().readValue(result.toFile(), LinkedHashMap.class);
      return r;
    } finally {
      Files.deleteIfExists(result);
    }
  }
}
