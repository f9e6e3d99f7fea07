package dev.rsm.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks the protocol model {@code spec/rsm.pml} with spin: the correct model exhaustively, in
 * each configuration (safety with every assertion, and the liveness claim under weak fairness),
 * and each defect variant to a counterexample, so the checks are shown not to be vacuous. Each
 * check runs {@code spin -a}, {@code gcc} and {@code pan} in {@code target/spin/<check>} and prints
 * one line (errors, states stored, depth, time); a defect's check also prints its counterexample
 * replayed by {@code spin -t -p}. Without spin or gcc the checks fail: a model that was not checked
 * proves nothing.
 */
class ProtocolModelTest {
  private static final Path MODEL = Path.of("rsm.pml");
  private static final Path WORK = Path.of("target", "spin");
  private static final long LIMIT_SECONDS = 600;
  // Full state storage (no bitstate), compressed: COLLAPSE stores each process and the globals
  // once. MEMLIM (MB) stops a search that outgrows the machine instead of swapping. A defect's
  // search ends at its first counterexample, so it is compiled without optimisation (1 s, not 4).
  private static final List<String> CC = List.of("gcc", "-w", "-DCOLLAPSE", "-DMEMLIM=3000");
  private static final List<String> PAN = List.of("-m200000", "-w24");

  /**
   * One run of pan. {@code defines} configure the model (see the head of rsm.pml); {@code
   * violates} is null for the correct model, else a pattern the counterexample must match (the
   * property's name in the failed assertion, or an acceptance cycle).
   */
  record Check(String name, String defines, boolean liveness, String violates, String shows) {
    @Override
    public String toString() {
      return name;
    }
  }

  // The configurations (see the head of rsm.pml for the defaults each narrows)
  private static final String SAFETY = "-DSECOND=0 -DREORDERS=0 -DHIBERNATES=0";
  private static final String WINDOW = "-DSECOND=0 -DMAXUNACKED=2 -DCRASHES=1 -DHIBERNATES=0";
  private static final String SPLIT_LEASE = "-DCRASHES=1 -DLOSSES=0 -DREORDERS=0 -DHIBERNATES=0";
  private static final String SPLIT_NO_LEASE = "-DNO_LEASE -DCRASHES=1 -DLOSSES=0 -DREORDERS=0";
  // The split configurations' safety checks with 2 crashes (the defect and coverage checks, which
  // stop at their first counterexample, keep 1)
  private static final String SPLIT_LEASE_2 = SPLIT_LEASE.replace("-DCRASHES=1", "-DCRASHES=2");
  private static final String SPLIT_NO_LEASE_2 = SPLIT_NO_LEASE.replace("-DCRASHES=1", "-DCRASHES=2");
  private static final String LOSSY = "-DSECOND=0 -DLOSSY_STORE -DCRASHES=1 -DHIBERNATES=0 -DREORDERS=0";
  private static final String LIVE = "-DSECOND=0 -DLIVENESS -DCRASHES=1 -DREORDERS=0 -DHIBERNATES=0";
  private static final String LIVE_HIBERNATING = "-DSECOND=0 -DLIVENESS -DCRASHES=1 -DREORDERS=0 -DLOSSES=0";

  static Stream<Check> checks() {
    return Stream.of(
        new Check("safety", SAFETY, false, null,
            "one incarnation each, 2 crashes, 1 lost message, Ack or reply"),
        new Check("safety-window-2", WINDOW, false, null,
            "max-unacked 2: two messages in flight, 1 loss, 1 reordering, 1 crash"),
        new Check("safety-split-lease", SPLIT_LEASE_2, false, null,
            "a second incarnation of B under the lease and the primary-key fence, 2 crashes"),
        new Check("safety-split-no-lease", SPLIT_NO_LEASE_2, false, null,
            "a second incarnation of B without leases, 1 hibernation, 2 crashes: the fence and the wake-up check"),
        new Check("safety-lossy-store", LOSSY, false, null,
            "A's store loses its last row on a crash: numbers reused, never dropped unseen"),
        new Check("liveness", LIVE, true, null, "every_message_handled, weak fairness, 1 crash, 1 loss"),
        new Check("liveness-hibernating", LIVE_HIBERNATING, true, null,
            "every_message_handled, weak fairness, 1 crash, 1 hibernation"),
        new Check("defect-wake-without-fence", SPLIT_NO_LEASE + " -DBUG_WAKE_WITHOUT_FENCE", false,
            "linear_history|exactly_once", "a step journaled on a held state another incarnation moved past"),
        new Check("defect-drop-over-limit-unacked", LIVE + " -DBUG_DROP_OVER_LIMIT_UNACKED", true,
            "acceptance cycle", "two machines at max-unacked drop each other's messages for ever"),
        new Check("defect-reuse-seq-after-lost-step", LOSSY + " -DBUG_REUSE_SEQ_AFTER_LOST_STEP", false,
            "acked_was_handled", "a reused number acknowledged as a duplicate: a message dropped unseen"),
        new Check("defect-no-dedup", SAFETY + " -DBUG_NO_DEDUP", false, "exactly_once",
            "a repeated key or sequence number handled twice"),
        // Each path a property depends on is taken in the configuration that checks it: COVER(x)
        // in rsm.pml fails under -DREACH=x, so a counterexample shows the path reachable.
        reach(1, "fenced-write", SPLIT_NO_LEASE),
        reach(2, "gap-dropped", WINDOW),
        reach(3, "duplicate-acked", SAFETY),
        reach(4, "reused-number-refused", LOSSY),
        reach(5, "key-repeated", SAFETY),
        reach(6, "stale-firing", SAFETY),
        reach(7, "ack-beyond-journal", LOSSY),
        reach(8, "woke-stale", SPLIT_NO_LEASE),
        reach(9, "lease-reload", SPLIT_LEASE),
        reach(10, "overloaded-handles", SAFETY));
  }

  private static Check reach(int point, String name, String config) {
    return new Check("reach-" + name, config + " -DREACH=" + point, false,
        "assertion violated \\(" + point + "!=" + point + "\\)", "the path is taken: the checks are not vacuous there");
  }

  @BeforeAll
  static void toolsPresent() {
    requireTool("spin", "-V");
    requireTool("gcc", "--version");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("checks")
  void check(Check c) throws Exception {
    Path dir = WORK.resolve(c.name());
    recreate(dir);
    Files.copy(MODEL, dir.resolve("rsm.pml"), StandardCopyOption.REPLACE_EXISTING);
    List<String> defines = Arrays.asList(c.defines().split(" "));

    long start = System.nanoTime();
    run(dir, concat(List.of("spin"), defines, List.of("-a", "rsm.pml")));
    run(dir, concat(CC, List.of(c.violates() == null ? "-O2" : "-O0"), c.liveness() ? List.of() : List.of("-DSAFETY"),
        List.of("-o", "pan", "pan.c")));
    String out = run(dir, concat(List.of("./pan"), PAN, c.liveness() ? List.of("-a", "-f") : List.of()));
    double seconds = (System.nanoTime() - start) / 1e9;

    long errors = number(out, "errors: (\\d+)");
    long stored = number(out, "(\\d+) states, stored");
    long depth = number(out, "depth reached (\\d+)");
    String search = matched(out, "elapsed time ([0-9.e+]+) seconds");
    System.out.printf("spin %-34s errors %d, %,d states stored, depth %d, search %s s, %.1f s with spin and gcc (%s; %s)%n",
        c.name(), errors, stored, depth, search, seconds, c.defines(), c.shows());
    assertFalse(out.contains("out of memory") || out.contains("max search depth too small"),
        "the search of " + c.name() + " was not exhaustive:\n" + out);

    if (c.violates() == null) {
      assertEquals(0, errors, c.name() + ": the correct model violates a property:\n" + out + replay(dir, defines));
      return;
    }
    assertTrue(errors > 0, c.name() + ": no counterexample, so the check is vacuous there:\n" + out);
    assertTrue(Files.exists(dir.resolve("rsm.pml.trail")), c.name() + ": no trail written");
    assertTrue(Pattern.compile(c.violates()).matcher(out).find(),
        c.name() + ": expected a counterexample to " + c.violates() + ":\n" + out);
    if (!c.name().startsWith("reach-")) System.out.println(replay(dir, defines));
  }

  /**
   * The counterexample replayed: the story the model's printf lines tell ({@code spin -t}), then
   * the last statements before the violation ({@code spin -t -p}).
   */
  private static String replay(Path dir, List<String> defines) throws Exception {
    if (!Files.exists(dir.resolve("rsm.pml.trail"))) return "";
    StringBuilder b = new StringBuilder("  counterexample (spin -t):\n");
    for (String l : run(dir, concat(List.of("spin"), defines, List.of("-t", "rsm.pml"))).lines().toList()) {
      if (l.startsWith("#processes")) break;
      b.append("    ").append(l.strip()).append('\n');
    }
    List<String> steps = run(dir, concat(List.of("spin"), defines, List.of("-t", "-p", "rsm.pml"))).lines()
        .takeWhile(l -> !l.startsWith("#processes"))
        .filter(l -> l.contains("proc ") || l.contains("CYCLE"))
        .toList();
    b.append("  its last steps (spin -t -p):\n");
    steps.subList(Math.max(0, steps.size() - 12), steps.size())
        .forEach(l -> b.append("    ").append(l.strip()).append('\n'));
    return b.toString();
  }

  private static String matched(String out, String regex) {
    Matcher m = Pattern.compile(regex).matcher(out);
    return m.find() ? m.group(1) : "?";
  }

  private static long number(String out, String regex) {
    Matcher m = Pattern.compile(regex).matcher(out);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  @SafeVarargs
  private static List<String> concat(List<String>... parts) {
    List<String> all = new ArrayList<>();
    for (List<String> p : parts) all.addAll(p);
    return all;
  }

  /** Runs {@code command} in {@code dir}; returns its output, and fails if it fails to run. */
  private static String run(Path dir, List<String> command) throws Exception {
    Path log = Files.createTempFile(dir.toAbsolutePath(), "out", ".txt");
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    if (!p.waitFor(LIMIT_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail(String.join(" ", command) + " ran longer than " + LIMIT_SECONDS + " s");
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    Files.delete(log);
    // pan exits 0 whether or not it finds errors; spin and gcc fail with a status
    if (p.exitValue() != 0 && !command.get(0).equals("./pan"))
      fail(String.join(" ", command) + " failed (exit " + p.exitValue() + "):\n" + out);
    return out;
  }

  private static void requireTool(String tool, String versionFlag) {
    try {
      Process p = new ProcessBuilder(tool, versionFlag).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      if (p.waitFor() == 0) return;
    } catch (IOException | InterruptedException e) {
      // reported below
    }
    fail("'" + tool + "' is not installed, and the protocol model cannot be checked without it. Install it "
        + "(Debian/Ubuntu: apt-get install -y spin gcc; .ci/run installs spin when missing)");
  }

  private static void recreate(Path dir) throws IOException {
    if (Files.exists(dir))
      try (Stream<Path> all = Files.walk(dir)) {
        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
      }
    Files.createDirectories(dir);
  }
}
