package dev.rsm.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark: exactly-once RSM next to plain Pekko event sourcing (es), Pekko Reliable Delivery
 * (rd) and raw JDBC (db), in one JVM, on one store, each workload in turn for {@code --duration}.
 * Prints a table and writes {@code results.json} and {@code results.md}. See the README's
 * "Performance" section for what each workload does and how to read the figures.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    BenchOptions o;
    try {
      o = BenchOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    run(o, System.out);
    System.exit(0); // embedded PostgreSQL and Pekko leave non-daemon threads behind
  }

  /** Runs the benchmark and returns what it wrote to results.json. */
  public static Map<String, Object> run(BenchOptions o, PrintStream out) throws Exception {
    try (Store store = Store.open(o)) {
      if (o.mode().equals("heap")) {
        Map<String, Object> heap = new HeapMode(o, store, out).run();
        Report.writeHeap(o, store, heap, out);
        return heap;
      }
      out.printf("store %s, %d machines, %d in flight, %d-byte payload, %.1fs per workload (+%.1fs warm-up), %d run(s)%n",
          store.describe(), o.machines(), o.inFlight(), o.payload(), o.duration().toMillis() / 1000.0, o.warmup().toMillis() / 1000.0, o.runs());
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
        case "rsm" -> {
          r.put("rsm", runner.measure(new RsmWorkload(store, tag, o.machines(), o.inFlight(), 0, o.payload()),
              o.warmup(), o.duration()));
          // Latency at half the maximum throughput: an open loop at half the closed loop's rate.
          double half = ((Number) r.get("rsm").get("msgs_per_s")).doubleValue() / 2;
          if (half > 0 && o.latencyAtHalf()) {
            r.put("rsm_half", runner.measure(new RsmWorkload(store, tag + "-h", o.machines(), o.inFlight(), half,
                o.payload()), o.warmup(), o.duration()));
          }
        }
        case "es" -> r.put("es", runner.measure(new EsWorkload(store, tag, o.machines(), o.inFlight(), o.payload()),
            o.warmup(), o.duration()));
        case "rd" -> r.put("rd", runner.measure(new RdWorkload(store, tag, o.machines(), o.inFlight(),
            o.rdProducers(), o.payload()), o.warmup(), o.duration()));
        case "db" -> {
          Object rsmRow = r.containsKey("rsm") ? r.get("rsm").get("bytes_per_row") : null;
          int rowBytes = rsmRow instanceof Number n && n.intValue() > 0 ? n.intValue() : o.payload() * 2 + 150;
          r.put("db", runner.measure(new DbWorkload(store, tag, o.dbThreads(), o.dbBatch(), rowBytes, o.machines()),
              o.warmup(), o.duration()));
        }
        default -> throw new IllegalArgumentException(w);
      }
    }
    return r;
  }
}
