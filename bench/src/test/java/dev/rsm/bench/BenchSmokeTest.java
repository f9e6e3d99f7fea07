package dev.rsm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seconds-long run of the benchmark on H2, to keep it working; not a measurement. Checks that
 * every workload moved messages and that results.json and results.md hold what the README promises.
 */
class BenchSmokeTest {

  @Test
  void everyWorkloadMovesMessagesAndTheResultsAreWritten(@TempDir Path out) throws Exception {
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    try {
      Main.run(BenchOptions.parse("--store", "h2", "--duration", "1500ms", "--warmup", "500ms",
          "--machines", "8", "--in-flight", "16", "--loaded-in-flight", "40", "--rd-producers", "2", "--db-threads", "1",
          "--workloads", "rsm,unleased,es,loaded,rd,db", "--out", out.toString()), new PrintStream(console, true));
    } catch (Exception e) {
      System.out.println(console); // a forked workload's output: what failed
      throw e;
    }

    JsonNode r = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    assertEquals("h2", r.get("store").asText());
    assertEquals(8, r.get("machines").asInt());
    assertEquals(16, r.get("in_flight").asInt());
    assertEquals(40, r.get("loaded_in_flight").asInt());
    assertEquals(1.5, r.get("duration_s").asDouble());
    for (String w : new String[] {"rsm", "rsm_unleased", "es", "rsm_loaded", "es_loaded", "rd", "db"})
      assertTrue(r.path(w).path("msgs_per_s").asDouble() > 0, w + " moved no messages: " + r.path(w));
    for (String w : new String[] {"rsm", "rsm_half", "es", "rsm_loaded", "rsm_loaded_half", "es_loaded", "rd"}) {
      assertTrue(r.path(w).path("p50_ms").asDouble() > 0, w + " has no p50: " + r.path(w));
      assertTrue(r.path(w).path("p99_ms").asDouble() >= r.path(w).path("p50_ms").asDouble(), w + " p99 < p50");
    }
    assertTrue(r.path("rsm").path("bytes_per_row").asInt() > 0, "rsm journal rows measured");
    assertTrue(r.path("rsm_loaded").path("msgs_per_row").asDouble() >= 1, "steps per row measured: " + r.path("rsm_loaded"));
    for (String ratio : new String[] {"rsm_over_rsm_unleased", "rsm_over_es", "rsm_over_rd", "rsm_over_db", "rsm_loaded_over_es_loaded", "rsm_loaded_over_db"})
      assertTrue(r.path("ratios").path(ratio).asDouble() > 0, ratio + " missing: " + r.path("ratios"));
    String md = Files.readString(out.resolve("results.md"));
    for (String row : new String[] {"| rsm, 16 in flight |", "| rsm without leases, 16 in flight |", "| es, 16 in flight |", "| rsm, 40 in flight |",
        "| es, 40 in flight |", "| rd, 16 in flight |", "| db |", "40 in flight (open loop) |"})
      assertTrue(md.contains(row), row + " missing:\n" + md);
    assertTrue(console.toString().contains("[rsm 16 in flight] measure"), "progress is shown while it runs");
  }

  @Test
  void heapModeWeighsIdleMachinesAndCyclesThem(@TempDir Path out) throws Exception {
    Main.run(BenchOptions.parse("--mode", "heap", "--store", "h2", "--heap-machines", "300",
        "--heap-cycle", "300", "--heap-settle", "0s", "--heap-hub-keys", "500", "--heap-hub-peers", "50", "--out", out.toString()), new PrintStream(new ByteArrayOutputStream(), true));
    JsonNode r = new ObjectMapper().readTree(out.resolve("heap.json").toFile());
    assertEquals(300, r.get("cycle_machines").asInt());
    assertEquals(301, r.get("active_idle_machines").asInt());
    assertTrue(r.get("bytes_per_active_idle_machine").asLong() > 0, r.toString());
    // a hibernated machine holds its state and its actor, not its event-sourced behaviour
    assertTrue(r.get("bytes_per_awake_idle_machine").asLong() > r.get("bytes_per_active_idle_machine").asLong(), r.toString());
    // the baselines, weighed in the same run: an actor is lighter than any event-sourced entity
    assertTrue(r.get("bytes_per_idle_es_entity").asLong() > r.get("bytes_per_idle_actor").asLong(), r.toString());
    assertTrue(r.get("bytes_per_idle_actor").asLong() > 0, r.toString());
    // the machine at its bounds: keys and channels weigh something, and its snapshot carries them
    assertEquals(500, r.get("hub_keys").asInt());
    assertTrue(r.get("hub_bytes_per_key").asLong() > 0, r.toString());
    assertTrue(r.get("hub_bytes_per_peer_both_ends").asLong() > 0, r.toString());
    assertTrue(r.get("hub_snapshot_bytes").asLong() > 500 * 8, r.toString());
  }
}
