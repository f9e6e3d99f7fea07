package dev.rsm.multijvm.takeover;

import dev.rsm.multijvm.harness.MultiJvmExtension;
import dev.rsm.multijvm.harness.Scenario;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The takeover benchmark: {@link Takeover} with leases on and with leases off, in one invocation,
 * and the two side by side. Not part of {@code mvn verify} (its name is not a test's); run it with
 *
 * <pre>
 * mvn -B verify -pl multi-jvm-tests -am -Dtest=TakeoverBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 *
 * {@code -Dtakeover.leases=on,off} (the order of the runs), {@code -Dtakeover.use-lease=<config path>}
 * (the lease "on" runs with; by default the shipped setting), {@code -Dtakeover.rounds=1} (each
 * mode that many times, alternating; medians), {@code -Dtakeover.machines-per-node=10000}, {@code
 * -Dtakeover.nodes=3}, {@code -Dtakeover.clients=32}, {@code -Dtakeover.timing=defaults|fast},
 * {@code -Dtakeover.node-jvm="-Xmx1g ..."}, {@code -Dtakeover.settle-seconds=5}. The tables (medians, then
 * each run) are printed and written to {@code multi-jvm-tests/target/takeover.md}.
 */
@ExtendWith(MultiJvmExtension.class)
class TakeoverBenchmark {
  private static final List<Takeover.Result> RESULTS = new CopyOnWriteArrayList<>();

  static Stream<Arguments> runs() {
    List<String> modes = Arrays.asList(System.getProperty("takeover.leases", "on,off").split(","));
    int rounds = Integer.getInteger("takeover.rounds", 1);
    List<Arguments> runs = new ArrayList<>();
    for (int round = 1; round <= rounds; round++)
      for (String mode : round % 2 == 1 ? modes : reversed(modes)) runs.add(Arguments.of(mode.trim(), round));
    return runs.stream();
  }

  @ParameterizedTest(name = "leases {0}, round {1}")
  @MethodSource("runs")
  @Timeout(value = 30, unit = TimeUnit.MINUTES)
  void takeover(String leases, int round, Scenario scenario) {
    RESULTS.add(Takeover.run(scenario, Takeover.Settings.fromSystemProperties(leases)));
  }

  @AfterAll
  static void printTable() {
    if (RESULTS.isEmpty()) return;
    String table = table(RESULTS) + "\n" + perRun(RESULTS);
    System.out.println("\n[takeover] results (medians per mode over its rounds):\n" + table);
    Path out = Path.of(System.getProperty("basedir", ".")).resolve("target").resolve("takeover.md");
    try {
      Files.createDirectories(out.getParent());
      Files.writeString(out, table);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The modes side by side (medians over each mode's runs), with on ÷ off when both ran. */
  static String table(List<Takeover.Result> results) {
    List<String> modes = results.stream().map(r -> r.settings().leases()).distinct().toList();
    boolean ratio = modes.contains("on") && modes.contains("off");
    StringBuilder b = new StringBuilder("| | ");
    for (String m : modes) b.append("leases ").append(m).append(" | ");
    b.append(ratio ? "on ÷ off |\n" : "\n").append("| --- |").append(" ---: |".repeat(modes.size() + (ratio ? 1 : 0)));
    b.append('\n');
    row(b, results, modes, ratio, "runs", "%.0f", r -> 1, true);
    row(b, results, modes, ratio, "machines in the cluster", "%,.0f", r -> r.machines(), false);
    row(b, results, modes, ratio, "machines on the killed node", "%,.0f", r -> r.onVictim(), false);
    row(b, results, modes, ratio, "kill → reported unreachable, s", "%.1f", Takeover.Result::unreachable, false);
    row(b, results, modes, ratio, "kill → downed, s", "%.1f", Takeover.Result::downed, false);
    row(b, results, modes, ratio, "kill → survivors host every machine, s", "%.1f", Takeover.Result::hosted, false);
    row(b, results, modes, ratio, "kill → first machine served, s", "%.1f", Takeover.Result::firstServed, false);
    row(b, results, modes, ratio, "kill → every machine served, s", "%.1f", Takeover.Result::allServed, false);
    row(b, results, modes, ratio, "downed → every machine served, s", "%.1f", r -> r.allServed() - r.downed(), false);
    row(b, results, modes, ratio, "recovery rate from the downing, machines/s", "%,.0f",
        Takeover.Result::ratePerSecondFromDowning, false);
    row(b, results, modes, ratio, "rate from first to last served, machines/s", "%,.0f",
        Takeover.Result::ratePerSecondServing, false);
    row(b, results, modes, ratio, "reads sent", "%,.0f", r -> r.reads(), false);
    row(b, results, modes, ratio, "reads failed", "%,.0f", r -> r.failedReads(), false);
    row(b, results, modes, ratio, "deposits making the machines, machines/s", "%,.0f",
        r -> r.machines() / r.createSeconds(), false);
    return b.toString();
  }

  /** One line per run, in the order they ran. */
  static String perRun(List<Takeover.Result> results) {
    StringBuilder b = new StringBuilder("| run | leases | machines on the killed node | downed, s | first served, s "
        + "| every machine served, s | survivors host every machine, s | machines/s from the downing |\n"
        + "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    int i = 0;
    for (Takeover.Result r : results)
      b.append(String.format("| %d | %s | %,d | %.1f | %.1f | %.1f | %.1f | %,.0f |%n", ++i, r.settings().leases(),
          r.onVictim(), r.downed(), r.firstServed(), r.allServed(), r.hosted(), r.ratePerSecondFromDowning()));
    return b.toString();
  }

  private static void row(StringBuilder b, List<Takeover.Result> results, List<String> modes, boolean ratio,
      String name, String format, ToDoubleFunction<Takeover.Result> metric, boolean sum) {
    b.append("| ").append(name).append(" | ");
    double on = Double.NaN;
    double off = Double.NaN;
    for (String m : modes) {
      List<Double> values = results.stream().filter(r -> r.settings().leases().equals(m))
          .map(metric::applyAsDouble).toList();
      double v = sum ? values.stream().mapToDouble(Double::doubleValue).sum() : median(values);
      if (m.equals("on")) on = v;
      if (m.equals("off")) off = v;
      b.append(String.format(format, v)).append(" | ");
    }
    if (ratio) b.append(sum ? "" : String.format("%.2f", on / off)).append(" |");
    b.append('\n');
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static List<String> reversed(List<String> modes) {
    List<String> r = new ArrayList<>(modes);
    Collections.reverse(r);
    return r;
  }
}
