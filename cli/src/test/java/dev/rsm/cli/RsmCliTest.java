package dev.rsm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The {@code rsm} commands, run through picocli in this JVM, against a real node ({@link CliNode}):
 * outputs, exit codes, and replay checks of jars whose classes are on no test class path.
 */
class RsmCliTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  static CliNode node;
  static Path tallyV1;
  static Config config;

  @BeforeAll
  static void start() throws IOException {
    node = CliNode.start(dir);
    tallyV1 = node.tallyV1;
    config = node.config;
  }

  @AfterAll
  static void stop() throws IOException {
    if (node != null) node.close();
  }

  record Run(int exit, String out, String err) {
    JsonNode json() {
      try {
        return JSON.readTree(out);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + out + " (stderr: " + err + ")", e);
      }
    }

    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  /** {@code rsm --node <the node> --admin <its management> args...}, in this JVM. */
  static Run rsm(String... args) {
    List<String> all = new ArrayList<>(List.of("--node", node.nodeUrl, "--admin", node.adminUrl));
    all.addAll(List.of(args));
    return bare(all.toArray(String[]::new));
  }

  /** {@code rsm args...} with no options added. */
  static Run bare(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Rsm.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void sendingTwiceWithTheSameKeyDepositsOnce() {
    Run first = rsm("send", "account", "alice", "{\"type\":\"deposit\",\"amount\":100}", "--key", "dep-1");
    Run again = rsm("send", "account", "alice", "{\"type\":\"deposit\",\"amount\":100}", "--key", "dep-1");

    assertEquals(0, first.exit(), first.toString());
    assertEquals(0, again.exit(), again.toString());
    assertEquals(JSON.createObjectNode().put("accepted", true).put("balance", 100), first.json());
    assertEquals(first.json(), again.json(), "the recorded reply");
    assertTrue(again.err().contains("replayed"), again.toString());
    Run get = rsm("get", "account", "alice");
    assertEquals(0, get.exit(), get.toString());
    assertEquals(100, get.json().path("state").path("balance").asLong(), get.toString());
    assertEquals(1, get.json().path("seqNr").asLong(), "one step: the deposit was handled once");
  }

  @Test
  void withoutAKeyOneIsMadeAndPrintedSoThatARetryHandlesNothingTwice() {
    Run first = rsm("send", "account", "carol", "{\"type\":\"deposit\",\"amount\":7}");
    assertEquals(0, first.exit(), first.toString());
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("idempotency key: (\\S+)").matcher(first.err());
    assertTrue(m.find(), first.toString());

    Run retry = rsm("send", "account", "carol", "{\"type\":\"deposit\",\"amount\":7}", "--key", m.group(1));

    assertEquals(0, retry.exit(), retry.toString());
    assertTrue(retry.err().contains("replayed"), retry.toString());
    assertEquals(7, rsm("get", "account", "carol").json().path("state").path("balance").asLong());
  }

  @Test
  void historyShowsEachStepWithItsOriginInputReplyAndSends() {
    rsm("send", "account", "dora", "{\"type\":\"deposit\",\"amount\":100}", "--key", "h-1");
    rsm("send", "account", "dora", "{\"type\":\"transfer\",\"to\":\"erin\",\"amount\":30}", "--key", "h-2");

    Run h = rsm("history", "account", "dora");

    assertEquals(0, h.exit(), h.toString());
    String[] lines = h.out().split("\n");
    assertEquals(2, lines.length, h.toString());
    assertTrue(lines[0].startsWith("row 1 "), h.toString());
    assertTrue(lines[0].contains("external key=h-1  deposit {\"amount\":100}  -> reply {\"accepted\":true,\"balance\":100}"),
        h.toString());
    assertTrue(lines[1].contains("external key=h-2  transfer {\"to\":\"erin\",\"amount\":30}"), h.toString());
    assertTrue(lines[1].contains("sends: account/erin#1 deposit {\"amount\":30}"), h.toString());

    Run page = rsm("history", "account", "dora", "--from", "2", "--limit", "1", "--json");
    assertEquals(0, page.exit(), page.toString());
    assertEquals(1, page.json().path("steps").size(), page.toString());
    assertEquals("h-2", page.json().path("steps").get(0).path("origin").path("key").asText(), page.toString());
  }

  @Test
  void timersListsTheArmedTimersWithTheInputTheyDeliver() {
    Run hold = rsm("send", "booking", "show-1", "{\"type\":\"hold\",\"seat\":\"A1\"}", "--key", "hold-1");
    assertEquals(0, hold.exit(), hold.toString());

    Run timers = rsm("timers", "booking", "show-1");

    assertEquals(0, timers.exit(), timers.toString());
    assertTrue(timers.out().startsWith("hold-A1  generation "), timers.toString());
    assertTrue(timers.out().contains("expire {\"seat\":\"A1\"}"), timers.toString());
    Run json = rsm("timers", "booking", "show-1", "--json");
    assertEquals("hold-A1", json.json().get(0).path("name").asText(), json.toString());
    rsm("send", "booking", "show-1", "{\"type\":\"confirm\",\"seat\":\"A1\"}", "--key", "confirm-1");
    assertEquals("no armed timers\n", rsm("timers", "booking", "show-1").out(), "the confirmation cancelled it");
  }

  @Test
  void eachKindOfErrorIsOneLineOnStderrAndItsExitCode() {
    Run unknownType = rsm("send", "acount", "x", "{\"type\":\"deposit\",\"amount\":1}", "--key", "e-1");
    assertEquals(3, unknownType.exit(), unknownType.toString());
    assertTrue(unknownType.err().startsWith("rsm: not found: "), unknownType.toString());
    assertEquals(1, unknownType.err().lines().count(), unknownType.toString());

    Run badField = rsm("send", "account", "x", "{\"type\":\"deposit\",\"amount\":2.9}", "--key", "e-2");
    assertEquals(4, badField.exit(), badField.toString());

    Run notJson = rsm("send", "account", "x", "{deposit", "--key", "e-3");
    assertEquals(2, notJson.exit(), notJson.toString());

    Run noSteps = rsm("history", "account", "never-stepped");
    assertEquals(3, noSteps.exit(), noSteps.toString());

    Run unknownOption = rsm("get", "account", "x", "--frobnicate");
    assertEquals(2, unknownOption.exit(), unknownOption.toString());

    Run dead = bare("--node", "http://127.0.0.1:" + CliNode.freePort(), "--timeout", "1s", "get", "account", "x");
    assertEquals(7, dead.exit(), dead.toString());
    assertTrue(dead.err().contains("connection refused"), dead.toString());
  }

  @Test
  void anExportedJournalReplaysWithTheJarThatWroteItAndAChangedHandlerIsReported() throws IOException {
    assertEquals(0, rsm("send", "tally", "t-1", "{\"type\":\"add\",\"n\":5}", "--key", "a-1").exit());
    Run second = rsm("send", "tally", "t-1", "{\"type\":\"add\",\"n\":7}", "--key", "a-2");
    assertEquals("12", second.out().trim(), second.toString());
    Path nodeConf = dir.resolve("node.conf");
    Files.writeString(nodeConf, "rsm.storage.h2-path = \"" + config.getString("rsm.storage.h2-path") + "\"\n");
    Path export = dir.resolve("prod.journal");

    Run exported = bare("journal", "export", "--out", export.toString(), "--config", nodeConf.toString());

    assertEquals(0, exported.exit(), exported.toString());
    assertTrue(exported.out().matches("exported \\d+ events to .*\\n"), exported.toString());

    Run same = bare("replay-check", "--jar", tallyV1.toString(), "--journal", export.toString());
    assertEquals(0, same.exit(), same.toString());
    assertTrue(same.out().contains("ok        tally/t-1: 2 steps"), same.toString());

    Path v2 = MachineJars.tally(dir, "tally-v2", 2);
    Run changed = bare("replay-check", "--jar", v2.toString(), "--journal", export.toString());
    assertEquals(1, changed.exit(), changed.toString());
    assertTrue(changed.out().contains("DIVERGES  tally/t-1 at step 1: journaled reply 5, replay produced reply 10"),
        changed.toString());

    Run fromDb = bare("replay-check", "--jar", v2.toString(), "--jdbc-url", config.getString("rsm.storage.jdbc.url"),
        "--user", config.getString("rsm.storage.jdbc.user"), "--password", config.getString("rsm.storage.jdbc.password"));
    assertEquals(1, fromDb.exit(), fromDb.toString());
  }

  @Test
  void replayCheckRefusesAJarWithoutMachinesAndAMissingJournal() {
    Run noModule = bare("replay-check", "--jar", MachineJars.withoutModule(dir, "bare").toString(),
        "--journal", dir.resolve("missing.journal").toString());
    assertEquals(2, noModule.exit(), noModule.toString());

    Run noJournal = bare("replay-check", "--jar", tallyV1.toString());
    assertEquals(2, noJournal.exit(), noJournal.toString());
    assertTrue(noJournal.err().contains("--journal FILE"), noJournal.toString());
  }

  @Test
  void helpNamesEveryCommandAndTheExitCodes() {
    Run help = bare("--help");
    assertEquals(0, help.exit(), help.toString());
    for (String s : List.of("send", "get", "history", "timers", "journal", "replay-check", "Exit codes:", "RSM_NODES"))
      assertTrue(help.out().contains(s), s + " in\n" + help.out());
    Run sendHelp = bare("send", "--help");
    assertTrue(sendHelp.out().contains("--key"), sendHelp.toString());
  }
}
