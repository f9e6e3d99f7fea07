package dev.rsm.multijvm.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * One node of the app as its own JVM, started from the built {@code rsm.jar} the way a user runs
 * it: {@code java <JVM options> [-Dconfig.file=config/postgres.conf] -D<overrides> -jar rsm.jar} in
 * its own working directory (on H2, the node's default store is a file there: see {@link
 * Database.H2Database}). Its ports (HTTP, Artery, management) and its working directory are chosen
 * once and kept across restarts, as a deployed node keeps its address and its disk. stdout and
 * stderr go to one log file, appended to on every start.
 *
 * <p>{@link #kill()} is {@code kill -9} (no shutdown hook, no leaving, no hand-off); {@link #stop()}
 * is SIGTERM, which runs the node's CoordinatedShutdown (unbind, hand shards off, leave); {@link
 * #freeze()} and {@link #thaw()} are SIGSTOP and SIGCONT. {@link #start()} after a kill or a stop
 * is a restart: same ports, same working directory, same seed nodes.
 */
public final class NodeProcess implements AutoCloseable {
  /**
   * JVM options. The heap is small because up to four nodes share the machine with the build;
   * C1 only and the serial collector halve a node's start-up CPU (about 6 s to 3 s on two cores),
   * which matters more here than peak throughput; the {@link ClassDataArchive} halves it again.
   * None of them changes what the node does.
   */
  static final List<String> JVM_OPTIONS = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  /**
   * Settings that make failure detection, downing and rebalancing take seconds, not minutes, and
   * callers hear 503 after 3s instead of 5s. A node that joins asks its seed nodes again every
   * second rather than every five (one that asked before the first seed had formed the cluster
   * otherwise waits out the rest of the five). A lease lives 6s instead of 10s, renewed every
   * second, with 1.5s of safety margin (its rules hold: the belief, 4.5s, exceeds a renewal's
   * interval plus its timeout, 4s): a killed node's shards, and the store a scenario's audit reads
   * after killing every node, are free 4s sooner. LostLeaseTest and SplitBrainTest (with leases)
   * keep the defaults they are about.
   */
  static final Map<String, String> FAST = ordered(
      "pekko.cluster.failure-detector.acceptable-heartbeat-pause", "3s",
      "pekko.cluster.split-brain-resolver.stable-after", "3s",
      "pekko.cluster.seed-node-timeout", "1s",
      "pekko.cluster.sharding.rebalance-interval", "2s",
      "pekko.cluster.sharding.retry-interval", "500ms",
      "rsm.http.request-timeout", "3s",
      "rsm.lease.heartbeat-timeout", "6s",
      "rsm.lease.heartbeat-interval", "1s",
      "rsm.lease.safety-margin", "1500ms",
      "rsm.persistence.delivery.resend-interval", "200ms",
      "rsm.persistence.delivery.resend-max-backoff", "2s",
      "rsm.persistence.restart.max-backoff", "1s");

  /** How the node's logback pattern ({@code app/src/main/resources/logback.xml}) starts an entry. */
  private static final Pattern LOG_ENTRY_START = Pattern.compile("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} |==== ");

  /** Node processes still running; killed if the test JVM exits first (e.g. interrupted build). */
  private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly), "kill-nodes"));
  }

  private final String name;
  private final int httpPort = freePort();
  private final int arteryPort = freePort();
  private final int managementPort = freePort();
  private final Path log;
  private final Path workDir;
  private final List<String> classData;
  private String configFile;
  private final List<String> jvmOptions = new ArrayList<>();
  private String mainClass;
  private Path extraClasspath;
  private final List<String> arguments = new ArrayList<>();
  private final Map<String, String> settings = new LinkedHashMap<>();
  private Process process;
  private int starts;
  private boolean frozen;

  /** A node with working directory {@code workDir} whose store is {@code database}. */
  NodeProcess(String name, Path logDir, Path workDir, Database database) {
    this(name, logDir, workDir, database, null);
  }

  /**
   * The same with {@code classData} as its class-data sharing options instead of those of the
   * {@link ClassDataArchive} (null): for the node that makes the archive.
   */
  NodeProcess(String name, Path logDir, Path workDir, Database database, List<String> classData) {
    this.name = name;
    this.classData = classData;
    this.log = logDir.resolve(name + ".log");
    this.workDir = workDir;
    this.configFile = database.configFile();
    settings.putAll(FAST);
    settings.putAll(database.nodeSettings(workDir));
    settings.put("rsm.sharding.data-dir", workDir.resolve("sharding").toString());
    settings.put("rsm.http.port", Integer.toString(httpPort));
    settings.put("pekko.remote.artery.canonical.port", Integer.toString(arteryPort));
    settings.put("pekko.management.http.port", Integer.toString(managementPort));
    try {
      Files.createDirectories(logDir);
      Files.createDirectories(workDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The seed nodes this node joins (Artery addresses); empty: it forms a cluster by itself. */
  void seedNodes(List<String> seeds) {
    settings.keySet().removeIf(k -> k.startsWith("pekko.cluster.seed-nodes."));
    for (int i = 0; i < seeds.size(); i++) settings.put("pekko.cluster.seed-nodes." + i, seeds.get(i));
    // As in config/cluster-node1.conf: the first seed node, restarted while the others run, forms
    // a cluster of its own (a split brain no resolver sees) if they have not answered within this
    // time; the 5s default was too short for a JVM starting on the loaded two-core machine.
    String timeout = "pekko.cluster.seed-node-timeout";
    settings.put(timeout, seeds.size() > 1 && seeds.get(0).equals(address()) ? "30s" : FAST.get(timeout));
  }

  /**
   * Sets {@code -Dkey=value} for the next starts (e.g. {@code rsm.persistence.hibernate-after}); it
   * overrides the harness's own settings of the same key.
   */
  public NodeProcess set(String key, String value) {
    settings.put(key, value);
    return this;
  }

  /**
   * Adds a JVM option (e.g. {@code -Xbootclasspath/a:<dir>}) for the next starts, after {@link
   * #JVM_OPTIONS}.
   */
  public NodeProcess jvmOption(String option) {
    jvmOptions.add(option);
    return this;
  }

  /**
   * Replaces the store's profile ({@code config/postgres.conf}, or none on H2) as the node's {@code
   * -Dconfig.file} for the next starts: a file of the test's own, which includes the profile it
   * builds on (e.g. {@code include file("<repo>/config/postgres.conf")}).
   */
  public NodeProcess configFile(Path file) {
    configFile = file.toAbsolutePath().normalize().toString();
    return this;
  }

  /**
   * Runs {@code className} (with {@code args}) on the node jar's class path plus {@code
   * classpath} instead of the jar's own main class, for the next starts: a node whose registry
   * holds a test machine type, e.g. {@code dev.rsm.multijvm.flaky.FlakyNode} from this module's
   * test classes, which starts the node through the app's {@code Main} as the jar would.
   */
  public NodeProcess mainClass(String className, Path classpath, String... args) {
    mainClass = className;
    extraClasspath = classpath;
    arguments.clear();
    arguments.addAll(List.of(args));
    return this;
  }

  public String name() {
    return name;
  }

  public int httpPort() {
    return httpPort;
  }

  public int managementPort() {
    return managementPort;
  }

  /**
   * The value of one series of the node's {@code GET /metrics} (Prometheus's text format), named
   * as Prometheus writes it with its labels, e.g. {@code rsm_outputs_resent_total{type="account"}}.
   */
  public double metric(String series) {
    var r = HttpJson.send(HttpJson.request(managementPort, "/metrics", java.time.Duration.ofSeconds(5)).GET().build());
    if (r.statusCode() != 200) throw new IllegalStateException(name + " /metrics answered " + r.statusCode());
    for (String line : r.body().split("\n"))
      if (line.startsWith(series + " ")) return Double.parseDouble(line.substring(series.length() + 1));
    throw new AssertionError("no " + series + " at " + name + "'s /metrics");
  }

  /** The node's cluster address, as in seed-nodes and in {@code /cluster/members}. */
  public String address() {
    return "pekko://rsm@127.0.0.1:" + arteryPort;
  }

  public Path log() {
    return log;
  }

  public synchronized boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** Alive and not frozen: it can answer. */
  public synchronized boolean isRunning() {
    return isAlive() && !frozen;
  }

  public Path workDir() {
    return workDir;
  }

  /** Starts the JVM (it must not be running); returns at once, see {@link #awaitReady}. */
  public synchronized NodeProcess start() {
    if (isAlive()) throw new IllegalStateException(name + " is already running");
    Path jar = jar();
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(JVM_OPTIONS);
    cmd.addAll(classData != null ? classData : ClassDataArchive.options());
    cmd.addAll(jvmOptions);
    if (configFile != null) cmd.add("-Dconfig.file=" + repository().resolve(configFile));
    settings.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    if (mainClass == null) {
      cmd.add("-jar");
      cmd.add(jar.toString());
    } else { // the jar's manifest class path (lib/) still applies
      cmd.add("-cp");
      cmd.add(jar + java.io.File.pathSeparator + extraClasspath);
      cmd.add(mainClass);
      cmd.addAll(arguments);
    }
    starts++;
    appendToLog("==== " + name + " start #" + starts + " at " + LocalTime.now() + ": " + String.join(" ", cmd));
    try {
      process = new ProcessBuilder(cmd)
          .directory(workDir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .start();
      Process started = process;
      RUNNING.add(started);
      started.onExit().thenRun(() -> RUNNING.remove(started));
    } catch (IOException e) {
      throw new UncheckedIOException("could not start " + name + ": " + cmd, e);
    }
    return this;
  }

  /** Waits until the node's management endpoint reports it ready (a cluster member that is Up). */
  public NodeProcess awaitReady(Duration timeout) {
    Waits.await(name + " ready (GET :" + managementPort + "/ready is 200)", timeout).until(() -> {
      if (!isAlive()) throw new AssertionError(name + " exited with " + process.exitValue() + " while starting");
      return HttpJson.status(managementPort, "/ready");
    }, status -> status == 200);
    return this;
  }

  /** {@code kill -9}: the process dies at once, as on a power cut or an OOM kill. */
  public synchronized void kill() {
    appendToLog("==== " + name + " killed with SIGKILL at " + LocalTime.now());
    process.destroyForcibly(); // SIGKILL on Linux (a stopped process dies too)
    waitForExit(Duration.ofSeconds(10));
    frozen = false;
  }

  /**
   * {@code kill -STOP}: the process stops at once without noticing, as in a long GC pause, a VM
   * migration or a laptop lid; its sockets stay open (connections to it are accepted by the
   * kernel and then hang) and its cluster peers stop hearing its heartbeats.
   */
  public synchronized void freeze() {
    signal("STOP");
    frozen = true;
  }

  /** {@code kill -CONT}: the frozen process runs on from where it stopped, unaware of the time that passed. */
  public synchronized void thaw() {
    signal("CONT");
    frozen = false;
  }

  private void signal(String signal) {
    if (!isAlive()) throw new IllegalStateException(name + " is not running");
    appendToLog("==== " + name + " sent SIG" + signal + " at " + LocalTime.now());
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0)
        throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Waits until the process has exited by itself (e.g. after it was downed); false if it still runs. */
  public boolean awaitExit(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** SIGTERM and wait: the node unbinds HTTP, hands its shards off and leaves the cluster. */
  public synchronized void stop() {
    appendToLog("==== " + name + " sent SIGTERM at " + LocalTime.now());
    process.destroy();
    waitForExit(Duration.ofSeconds(60));
  }

  private void waitForExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
        throw new AssertionError(name + " (pid " + process.pid() + ") did not exit within " + timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The last {@code lines} lines of the node's log. */
  public String tail(int lines) {
    try {
      if (!Files.exists(log)) return "(no log)";
      List<String> all = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(could not read " + log + ": " + e + ")";
    }
  }

  /** Lines of the node's log (every start) containing {@code text}. */
  public long countLogLines(String text) {
    return logEntries().stream().flatMap(e -> e.lines()).filter(l -> l.contains(text)).count();
  }

  /** The distinct matches of {@code regex} in the node's log (every start), in order of appearance. */
  public Set<String> distinctLogMatches(Pattern regex) {
    Set<String> found = new java.util.LinkedHashSet<>();
    for (String entry : logEntries()) {
      var m = regex.matcher(entry);
      while (m.find()) found.add(m.group());
    }
    return found;
  }

  /**
   * Log entries (a line starting with a timestamp and its continuation lines, such as a stack
   * trace) that contain every one of {@code texts}.
   */
  public long countLogEntries(String... texts) {
    return logEntries().stream().filter(e -> {
      for (String t : texts) if (!e.contains(t)) return false;
      return true;
    }).count();
  }

  /** The first line of each log entry that contains all of {@code texts}. */
  public List<String> logEntries(String... texts) {
    return logEntries().stream().filter(e -> {
      for (String t : texts) if (!e.contains(t)) return false;
      return true;
    }).map(e -> e.lines().findFirst().orElse("")).toList();
  }

  private List<String> logEntries() {
    List<String> entries = new ArrayList<>();
    StringBuilder entry = new StringBuilder();
    try (var lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
      for (String line : (Iterable<String>) lines::iterator) {
        if (LOG_ENTRY_START.matcher(line).lookingAt() && entry.length() > 0) {
          entries.add(entry.toString());
          entry.setLength(0);
        }
        entry.append(line).append('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (entry.length() > 0) entries.add(entry.toString());
    return entries;
  }

  private void appendToLog(String line) {
    try {
      Files.writeString(log, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Kills the process if it is still running (cleanup after a test). */
  @Override
  public synchronized void close() {
    if (isAlive()) kill();
  }

  @Override
  public String toString() {
    return name + "(http " + httpPort + ", mgmt " + managementPort + ", " + address() + ")";
  }

  private static Map<String, String> ordered(String... keysAndValues) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) m.put(keysAndValues[i], keysAndValues[i + 1]);
    return Collections.unmodifiableMap(m);
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The repository's root directory (where {@code config/} is), from the node jar's path. */
  public static Path repository() {
    return jar().getParent().getParent().getParent();
  }

  /** {@code ../app/target/rsm.jar} from this module, built by the reactor before these tests run. */
  public static Path jar() {
    Path jar = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize()
        .resolve("../app/target/rsm.jar").normalize();
    if (!Files.isRegularFile(jar) || !Files.isDirectory(jar.resolveSibling("lib")))
      throw new IllegalStateException("the node jar " + jar + " (with lib/ beside it) is missing: build the app "
          + "first, e.g. `mvn -B verify` from the repository root or `mvn -B package -DskipTests -pl app -am`");
    return jar;
  }
}
