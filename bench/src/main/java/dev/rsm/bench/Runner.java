package dev.rsm.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** Runs one workload: start, warm up, measure for the duration with progress lines, stop. */
final class Runner {
  private final PrintStream progress;
  private final Store store;

  Runner(PrintStream progress, Store store) {
    this.progress = progress;
    this.store = store;
  }

  PrintStream progress() {
    return progress;
  }

  Map<String, Object> measure(Workload w, Duration warmup, Duration duration) throws Exception {
    try (w) {
      long started = System.nanoTime();
      w.start();
      // Started once its first message has moved: entities recovering, shards being allocated and
      // the first writes warming up the store belong to starting, not to the warm-up or the
      // measurement (a seconds-long run on a busy machine would otherwise measure nothing).
      long firstDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (w.meter().messages() == 0) {
        if (System.nanoTime() > firstDeadline) throw new IllegalStateException(w.name() + " moved no message in 60 s");
        Thread.sleep(5);
      }
      progress.printf("[%s] started in %d ms%n", w.name(), (System.nanoTime() - started) / 1_000_000);
      phase(w, "warm-up", warmup);
      // The journal's rows are counted outside the CPU figures (the count is a query).
      long rows0 = w.journalRows();
      w.meter().reset();
      long t0 = System.nanoTime(), jvm0 = CpuClock.jvmNanos(), db0 = CpuClock.dbNanos(store);
      phase(w, "measure", duration);
      long n = w.meter().messages();
      double seconds = (System.nanoTime() - t0) / 1e9;
      long jvm = CpuClock.jvmNanos() - jvm0, db = CpuClock.dbNanos(store) - db0;
      long rows = rows0 < 0 ? -1 : w.journalRows() - rows0;
      Histogram h = w.meter().latency();
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("msgs_per_s", Math.round(n / seconds));
      if (h.getTotalCount() > 0) {
        r.put("p50_ms", millis(h, 50));
        r.put("p99_ms", millis(h, 99));
        r.put("p999_ms", millis(h, 99.9));
      }
      r.put("messages", n);
      if (n > 0) {
        // Where the time goes: CPU per message in this JVM and in the database server's processes.
        r.put("jvm_cpu_us_per_msg", Math.round(jvm / 1000.0 / n * 10) / 10.0);
        if (db > 0) r.put("db_cpu_us_per_msg", Math.round(db / 1000.0 / n * 10) / 10.0);
        r.put("jvm_cores_busy", Math.round(jvm / 1e9 / seconds * 100) / 100.0);
        // Steps per journal row (rsm: group commit); the open loop's injections are steps too.
        if (rows > 0) r.put("msgs_per_row", Math.round((double) n / rows * 100) / 100.0);
      }
      r.put("seconds", Math.round(seconds * 10) / 10.0);
      progress.printf("[%s] %,d msgs/s%s%n", w.name(), (long) r.get("msgs_per_s"),
          h.getTotalCount() > 0 ? String.format("  p50 %.2f ms  p99 %.2f ms  p99.9 %.2f ms",
              r.get("p50_ms"), r.get("p99_ms"), r.get("p999_ms")) : "");
      w.close();
      r.putAll(w.facts());
      return r;
    }
  }

  /** A percentile of a histogram in microseconds, in milliseconds. */
  private static double millis(Histogram h, double percentile) {
    return h.getValueAtPercentile(percentile) / 1000.0;
  }

  private void phase(Workload w, String what, Duration length) throws InterruptedException {
    long end = System.nanoTime() + length.toNanos();
    long lastCount = w.meter().messages(), lastTime = System.nanoTime(), startTime = lastTime;
    while (true) {
      long left = end - System.nanoTime();
      if (left <= 0) return;
      Thread.sleep(Math.min(2000, Math.max(1, left / 1_000_000)));
      long now = System.nanoTime(), count = w.meter().messages();
      if (now - lastTime >= 1_000_000_000L || (now >= end && now - lastTime >= 500_000_000L))
        progress.printf("[%s] %s %4.0fs/%ds  %,8.0f msgs/s%n", w.name(), what, (now - startTime) / 1e9,
            length.toSeconds(), (count - lastCount) / ((now - lastTime) / 1e9));
      lastCount = count;
      lastTime = now;
    }
  }
}
