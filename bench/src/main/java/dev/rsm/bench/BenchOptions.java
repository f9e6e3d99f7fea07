package dev.rsm.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine;

/** The benchmark's options, read from its command line by {@link BenchCommand}. */
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

  /**
   * Reads a command line as {@code java -jar rsm-bench.jar} does ({@link BenchCommand} lists the
   * options); a wrong one is an {@link IllegalArgumentException} that names it.
   */
  public static BenchOptions parse(String... args) {
    BenchCommand command = new BenchCommand();
    try {
      new CommandLine(command).parseArgs(args);
      return command.options();
    } catch (CommandLine.ParameterException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }
}
