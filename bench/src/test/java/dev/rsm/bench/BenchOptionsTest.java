package dev.rsm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line that docs/performance.md documents: its options, defaults and errors. */
class BenchOptionsTest {

  @Test
  void defaultsAreTheDocumentedOnes() {
    BenchOptions o = BenchOptions.parse();
    assertEquals("throughput", o.mode());
    assertEquals("h2", o.store());
    assertEquals(200, o.machines());
    assertEquals(200, o.inFlight());
    assertEquals(1000, o.loadedInFlight());
    assertEquals(Duration.ofSeconds(30), o.duration());
    assertEquals(Duration.ofSeconds(10), o.warmup());
    assertEquals(64, o.payload());
    assertEquals(List.of("rsm", "es", "loaded", "rd", "db"), o.workloads());
    assertEquals(1, o.runs());
    assertEquals(100, o.dbBatch());
    assertEquals(4, o.dbThreads());
    assertEquals(8, o.rdProducers());
    assertEquals(20_000, o.heapMachines());
    assertEquals(1_000_000, o.heapCycle());
    assertEquals(Duration.ofSeconds(35), o.heapSettle());
    assertTrue(o.latencyAtHalf());
    assertTrue(o.fork());
    assertNull(o.child());
  }

  @Test
  void theDocumentedCommandsRead() {
    BenchOptions o = BenchOptions.parse("--store", "postgres", "--duration", "20s", "--warmup", "15s", "--runs", "3");
    assertEquals("postgres", o.store());
    assertEquals(Duration.ofSeconds(20), o.duration());
    assertEquals(Duration.ofSeconds(15), o.warmup());
    assertEquals(3, o.runs());

    BenchOptions heap = BenchOptions.parse("--mode", "heap", "--store", "postgres", "--heap-cycle", "1_000_000",
        "--heap-settle", "500ms", "--latency-at-half", "false", "--fork=false", "--workloads", "rsm,unleased,db",
        "--out", "x");
    assertEquals("heap", heap.mode());
    assertEquals(1_000_000, heap.heapCycle());
    assertEquals(Duration.ofMillis(500), heap.heapSettle());
    assertFalse(heap.latencyAtHalf());
    assertFalse(heap.fork());
    assertEquals(List.of("rsm", "unleased", "db"), heap.workloads());
    assertEquals(Path.of("x"), heap.out());
  }

  @Test
  void aUrlChoosesTheExternalStore() {
    BenchOptions o = BenchOptions.parse("--url", "jdbc:postgresql://db/rsm", "--user", "u", "--password", "p");
    assertEquals("url", o.store());
    assertEquals("jdbc:postgresql://db/rsm", o.url());
    assertEquals("u", o.user());
    assertEquals("p", o.password());
  }

  @Test
  void aForkedWorkloadReadsItsHiddenOptions() {
    BenchOptions o = BenchOptions.parse("--url", "jdbc:h2:mem:x", "--child", "rsm_loaded", "--child-tag", "t",
        "--child-rate", "12.5", "--child-row-bytes", "300", "--child-server-port", "5432", "--child-result", "r.json");
    assertEquals(new BenchOptions.Child("rsm_loaded", "t", 12.5, 300, 5432, Path.of("r.json")), o.child());
  }

  @Test
  void aWrongOptionIsNamed() {
    assertMessage("--machines", "positive integer", "--machines", "0");
    assertMessage("--duration", "duration such as", "--duration", "soon");
    assertMessage("--workloads", "not foo", "--workloads", "rsm,foo");
    assertMessage("--store url needs --url", "", "--store", "url");
    assertMessage("--bogus", "Unknown", "--bogus", "1");
    assertMessage("--fork", "not a boolean", "--fork", "maybe");
  }

  @Test
  void helpListsEveryDocumentedOption() {
    StringWriter help = new StringWriter();
    CommandLine cli = new CommandLine(new BenchCommand()).setOut(new PrintWriter(help));
    assertEquals(0, cli.execute("--help"));
    for (String option : new String[] {"--mode", "--store", "--url", "--user", "--password", "--machines", "--in-flight",
        "--loaded-in-flight", "--duration", "--warmup", "--payload", "--workloads", "--runs", "--db-batch", "--db-threads",
        "--rd-producers", "--heap-machines", "--heap-cycle", "--heap-settle", "--heap-hub-keys", "--heap-hub-peers",
        "--latency-at-half", "--fork", "--out"})
      assertTrue(help.toString().contains(option + "="), option + " missing from --help:\n" + help);
    assertFalse(help.toString().contains("--child"), "the options of a forked workload are not for users");
  }

  private static void assertMessage(String names, String says, String... args) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse(args));
    assertTrue(e.getMessage().contains(names) && e.getMessage().contains(says), e.getMessage());
  }
}
