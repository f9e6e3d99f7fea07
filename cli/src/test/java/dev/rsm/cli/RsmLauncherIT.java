package dev.rsm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/rsm} as a user runs it, after {@code mvn package}: a process of its own that finds
 * {@code cli/target/rsm-cli.jar} beside the script and its libraries through the jar's manifest,
 * talking to a real node ({@link CliNode}) and checking jars of machines. Run by failsafe in
 * {@code verify}.
 */
class RsmLauncherIT {
  static final Path LAUNCHER = Path.of("..", "bin", "rsm").toAbsolutePath().normalize();

  @TempDir static Path dir;
  static CliNode node;

  @BeforeAll
  static void start() throws IOException {
    node = CliNode.start(dir);
  }

  @AfterAll
  static void stop() throws IOException {
    if (node != null) node.close();
  }

  record Run(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  /** {@code sh bin/rsm args...} with no RSM_ variables from the environment. */
  static Run launch(String... args) throws IOException, InterruptedException {
    return launch(Map.of(), args);
  }

  /** {@code sh bin/rsm args...} with {@code env} as the only RSM_ variables. */
  static Run launch(Map<String, String> env, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("sh", LAUNCHER.toString()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("RSM_") || k.equals("JAVA_TOOL_OPTIONS"));
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("bin/rsm " + String.join(" ", args) + " did not end within 60 s");
    }
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  @Test
  void theLauncherSendsOnceUnderAKeyAndReadsTheState() throws Exception {
    String[] deposit = {"--node", node.nodeUrl, "send", "account", "launched", "{\"type\":\"deposit\",\"amount\":5}",
        "--key", "l-1"};
    Run first = launch(deposit);
    Run again = launch(deposit);
    // The nodes from RSM_NODES: a dead one first, so the read is retried on the next.
    Run state = launch(Map.of("RSM_NODES", "http://127.0.0.1:" + CliNode.freePort() + "," + node.nodeUrl),
        "get", "account", "launched");

    assertEquals(0, first.exit(), first.toString());
    assertEquals("{\"accepted\":true,\"balance\":5}\n", first.out(), first.toString());
    assertEquals(first.out(), again.out(), again.toString());
    assertEquals(0, state.exit(), state.toString());
    assertTrue(state.out().contains("\"state\":{\"balance\":5},\"seqNr\":1,"), state.toString());
  }

  @Test
  void theLauncherChecksJarsAgainstAnExportedJournal() throws Exception {
    assertEquals(0, launch("--node", node.nodeUrl, "send", "tally", "l-t", "{\"type\":\"add\",\"n\":4}", "--key", "l-2")
        .exit());
    Path export = dir.resolve("launched.journal");
    // The node holds its H2 file locked against other processes: exported in this JVM, by the same code.
    StringWriter sink = new StringWriter();
    assertEquals(0, Rsm.commandLine().setOut(new PrintWriter(sink)).execute("journal", "export", "--out",
        export.toString(), "--jdbc-url", node.config.getString("rsm.storage.jdbc.url"), "--user",
        node.config.getString("rsm.storage.jdbc.user"), "--password", node.config.getString("rsm.storage.jdbc.password")),
        sink.toString());

    Run same = launch("replay-check", "--jar", node.tallyV1.toString(), "--journal", export.toString());
    Run changed = launch("replay-check", "--jar", MachineJars.tally(dir, "tally-v3", 3).toString(),
        "--journal", export.toString());

    assertEquals(0, same.exit(), same.toString());
    assertTrue(same.out().contains("ok        tally/l-t: 1 steps"), same.toString());
    assertEquals(1, changed.exit(), changed.toString());
    assertTrue(changed.out().contains("DIVERGES  tally/l-t at step 1: journaled reply 4, replay produced reply 12"),
        changed.toString());
  }

  @Test
  void aUsageErrorIsOneLineAndExitTwo() throws Exception {
    Run bogus = launch("bogus");
    assertEquals(2, bogus.exit(), bogus.toString());
    assertEquals(1, bogus.err().lines().count(), bogus.toString());
    assertTrue(bogus.err().startsWith("rsm: "), bogus.toString());
  }
}
