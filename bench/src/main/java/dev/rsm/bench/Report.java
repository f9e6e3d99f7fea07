package dev.rsm.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Medians over runs, ratios, targets; the table on screen, results.json and results.md. */
final class Report {
  private Report() {}

  private static final List<String> ROWS =
      List.of("rsm", "rsm_half", "rsm_unleased", "rsm_unleased_half", "rsm_metrics", "rsm_calls", "es", "rsm_loaded", "rsm_loaded_half", "es_loaded", "rd", "db");
  // Each ratio: rsm at some load over a baseline measured at the same load (db has none).
  private static final List<List<String>> RATIOS = List.of(List.of("rsm", "rsm_unleased"), List.of("rsm", "rsm_metrics"), List.of("rsm", "rsm_calls"), List.of("rsm", "es"), List.of("rsm", "rd"),
      List.of("rsm", "db"), List.of("rsm_loaded", "es_loaded"), List.of("rsm_loaded", "db"));
  private static final List<String> MEDIAN_FIELDS = List.of("msgs_per_s", "p50_ms", "p99_ms", "p999_ms",
      "bytes_per_row", "msgs_per_row", "jvm_cpu_us_per_msg", "db_cpu_us_per_msg", "jvm_cores_busy", "recovery_all_ms");

  static Map<String, Object> summarize(BenchOptions o, Store store, List<Map<String, Map<String, Object>>> runs) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("store", store.kind);
    r.put("store_detail", store.describe());
    r.put("machines", o.machines());
    r.put("in_flight", o.inFlight());
    r.put("loaded_in_flight", o.loadedInFlight());
    r.put("duration_s", o.duration().toMillis() / 1000.0);
    r.put("warmup_s", o.warmup().toMillis() / 1000.0);
    r.put("payload_bytes", o.payload());
    r.put("runs", runs.size());
    r.put("cores", Runtime.getRuntime().availableProcessors());
    r.put("java", System.getProperty("java.version"));
    for (String w : ROWS) {
      if (!runs.get(0).containsKey(w)) continue;
      Map<String, Object> m = new LinkedHashMap<>(runs.get(runs.size() / 2).get(w)); // facts of one run
      for (String f : MEDIAN_FIELDS) {
        List<Double> xs = new ArrayList<>();
        for (Map<String, Map<String, Object>> run : runs)
          if (run.get(w).get(f) instanceof Number n) xs.add(n.doubleValue());
        if (xs.isEmpty()) continue;
        double med = median(xs);
        m.put(f, f.endsWith("_ms") || f.startsWith("jvm_") || f.startsWith("db_cpu") || f.equals("msgs_per_row")
            ? Math.round(med * 100) / 100.0 : (Object) Math.round(med));
      }
      r.put(w, m);
    }
    // Ratios are taken within each run (the workloads of one run share the machine's conditions,
    // which other processes change from run to run) and the median of those is reported.
    Map<String, Object> ratios = new LinkedHashMap<>();
    Map<String, Double> exact = new LinkedHashMap<>(); // targets are judged unrounded: 0.998 is not 1.0
    for (List<String> pair : RATIOS) {
      List<Double> xs = new ArrayList<>();
      for (Map<String, Map<String, Object>> run : runs) {
        double x = runRate(run, pair.get(0)), y = runRate(run, pair.get(1));
        if (x > 0 && y > 0) xs.add(x / y);
      }
      if (xs.isEmpty()) continue;
      String name = pair.get(0) + "_over_" + pair.get(1);
      exact.put(name, median(xs));
      ratios.put(name, Math.round(median(xs) * 100) / 100.0);
    }
    r.put("ratios", ratios);
    List<Map<String, Object>> targets = new ArrayList<>();
    String at = String.format(", %,d in flight", o.inFlight()), loaded = String.format(", %,d in flight", o.loadedInFlight());
    target(targets, "rsm >= 1.0 x es (msgs/s)" + at, exact.get("rsm_over_es"), 1.0, true);
    target(targets, "rsm >= 1.0 x es (msgs/s)" + loaded, exact.get("rsm_loaded_over_es_loaded"), 1.0, true);
    target(targets, "rsm >= 2 x rd (msgs/s)" + at, exact.get("rsm_over_rd"), 2.0, true);
    target(targets, "rsm >= 0.5 x db (msgs/s)" + at, exact.get("rsm_over_db"), 0.5, true);
    target(targets, "rsm >= 0.5 x db (msgs/s)" + loaded, exact.get("rsm_loaded_over_db"), 0.5, true);
    Double offOverOn = exact.get("rsm_over_rsm_metrics");
    target(targets, "rsm with metrics >= 0.97 x rsm without (msgs/s)" + at, offOverOn == null ? null : 1 / offOverOn, 0.97, true);
    target(targets, "rsm p99 per hop <= 10 ms at half its max throughput" + at, p99(r, "rsm_half"), 10.0, false);
    target(targets, "rsm p99 per hop <= 10 ms at half its max throughput" + loaded, p99(r, "rsm_loaded_half"), 10.0, false);
    r.put("targets", targets);
    r.put("all_runs", runs);
    return r;
  }

  private static Object p99(Map<String, Object> r, String w) {
    return r.get(w) instanceof Map<?, ?> m ? m.get("p99_ms") : null;
  }

  private static double median(List<Double> xs) {
    xs.sort(Double::compare);
    return xs.size() % 2 == 1 ? xs.get(xs.size() / 2) : (xs.get(xs.size() / 2 - 1) + xs.get(xs.size() / 2)) / 2;
  }

  private static double runRate(Map<String, Map<String, Object>> run, String w) {
    return run.get(w) != null && run.get(w).get("msgs_per_s") instanceof Number n ? n.doubleValue() : 0;
  }

  private static double rate(Map<String, Object> r, String w) {
    return r.get(w) instanceof Map<?, ?> m && m.get("msgs_per_s") instanceof Number n ? n.doubleValue() : 0;
  }

  private static void target(List<Map<String, Object>> out, String name, Object measured, double bound, boolean atLeast) {
    if (!(measured instanceof Number n)) return;
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("target", name);
    t.put("measured", Math.round(n.doubleValue() * 1000) / 1000.0);
    t.put("holds", atLeast ? n.doubleValue() >= bound : n.doubleValue() <= bound);
    out.add(t);
  }

  static void write(BenchOptions o, Map<String, Object> r, PrintStream out) throws IOException {
    String md = markdown(r);
    out.println();
    out.print(md);
    Files.createDirectories(o.out());
    json(o.out().resolve("results.json"), r);
    Files.writeString(o.out().resolve("results.md"), md);
    out.println("wrote " + o.out().resolve("results.json") + " and " + o.out().resolve("results.md"));
  }

  static String markdown(Map<String, Object> r) {
    StringBuilder b = new StringBuilder();
    b.append(String.format("Store %s, %s machines, %s messages in flight (loaded: %s), %s-byte payload, %ss per "
            + "workload, median of %s run(s), %s cores.%n%n", r.get("store_detail"), r.get("machines"), r.get("in_flight"),
        r.get("loaded_in_flight"), r.get("payload_bytes"), r.get("duration_s"), r.get("runs"), r.get("cores")));
    b.append("Ratios are medians of the per-run ratios; each is rsm over the baseline at the same messages in flight "
        + "(db has none: its row shows rsm at the first load over it, the targets both loads).\n\n");
    b.append("| workload | msgs/s | p50 ms | p99 ms | p99.9 ms | rsm ÷ it | bytes/row | msgs/row | JVM CPU µs/msg | DB CPU µs/msg |\n");
    b.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (String w : ROWS) {
      if (!(r.get(w) instanceof Map<?, ?> m)) continue;
      double x = rate(r, w);
      b.append(String.format("| %s | %,d | %s | %s | %s | %s | %s | %s | %s | %s |%n",
          label(r, w), Math.round(x), ms(m.get("p50_ms")),
          ms(m.get("p99_ms")), ms(m.get("p999_ms")),
          ratio(r, w),
          m.get("bytes_per_row") == null ? "" : m.get("bytes_per_row"),
          m.get("msgs_per_row") == null ? "" : m.get("msgs_per_row"),
          m.get("jvm_cpu_us_per_msg") == null ? "" : m.get("jvm_cpu_us_per_msg"),
          m.get("db_cpu_us_per_msg") == null ? "" : m.get("db_cpu_us_per_msg")));
    }
    if (r.get("rsm") instanceof Map<?, ?> rsm && rsm.get("recovery_all_ms") instanceof Number ms)
      b.append(String.format("%nTaking over: a fresh node recovered all %s rsm machines (each its latest snapshot and at "
          + "most %s rows after it) in %,d ms.%n", r.get("machines"), rsm.get("snapshot_every_rows"), ms.longValue()));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> targets = (List<Map<String, Object>>) r.get("targets");
    if (targets != null && !targets.isEmpty()) {
      b.append("\n| target | measured | holds |\n| --- | ---: | --- |\n");
      for (Map<String, Object> t : targets)
        b.append(String.format("| %s | %s | %s |%n", t.get("target"), t.get("measured"),
            Boolean.TRUE.equals(t.get("holds")) ? "yes" : "**no**"));
    }
    return b.toString();
  }

  private static String label(Map<String, Object> r, String w) {
    String at = String.format("%,d in flight", ((Number) r.get(w.contains("loaded") ? "loaded_in_flight" : "in_flight")).intValue());
    return switch (w) {
      case "rsm", "rsm_loaded" -> "rsm, " + at;
      case "rsm_half", "rsm_loaded_half" -> "rsm at ½ the max of " + at + " (open loop)";
      case "rsm_unleased" -> "rsm without leases, " + at;
      case "rsm_unleased_half" -> "rsm without leases at ½ its max of " + at + " (open loop)";
      case "rsm_metrics" -> "rsm with metrics, " + at;
      case "rsm_calls" -> "rsm by calls (a call and its answer: two steps), " + at;
      case "es", "es_loaded" -> "es, " + at;
      case "rd" -> "rd, " + at;
      default -> w;
    };
  }

  private static String ratio(Map<String, Object> r, String w) {
    Object v = r.get("ratios") instanceof Map<?, ?> m ? m.get((w.contains("loaded") ? "rsm_loaded" : "rsm") + "_over_" + w) : null;
    return v == null ? "" : String.format("%.2f", ((Number) v).doubleValue());
  }

  private static String ms(Object v) {
    return v instanceof Number n ? String.format("%.2f", n.doubleValue()) : "";
  }

  static void writeHeap(BenchOptions o, Store store, Map<String, Object> heap, PrintStream out) throws IOException {
    Files.createDirectories(o.out());
    json(o.out().resolve("heap.json"), heap);
    out.println("wrote " + o.out().resolve("heap.json"));
  }

  private static void json(Path file, Object value) throws IOException {
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), value);
  }
}
