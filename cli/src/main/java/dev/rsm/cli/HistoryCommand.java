package dev.rsm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code rsm history}: a machine's journal step by step, read through the admin API, which reads
 * the journal's tables and never starts or wakes the machine.
 */
@Command(name = "history", mixinStandardHelpOptions = true,
    description = {"Prints a machine's journal, one line per step: its row, the time the handler saw, where the "
        + "input came from, the input, and what the step did (reply or rejection, sends, timers, effects).",
        "Reads the admin API on --admin (GET /admin/machines/TYPE/ID/journal); the machine is not started. "
            + "When more rows follow, stderr says which --from reads them."},
    footer = {"", "Example:", "  rsm history account alice --limit 2",
        "  row 1  2026-12-02T10:00:00Z  external key=dep-1  deposit {\"amount\":100}  -> reply {\"accepted\":true,\"balance\":100}",
        "  row 2  2026-12-02T10:00:05Z  external key=tr-1  transfer {\"to\":\"bob\",\"amount\":30}  -> reply "
            + "{\"accepted\":true,\"balance\":70}  sends: account/bob#1 deposit {\"amount\":30}"})
final class HistoryCommand implements Callable<Integer> {
  @ParentCommand Rsm rsm;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "TYPE", description = "The machine type.")
  String type;

  @Parameters(index = "1", paramLabel = "ID", description = "The machine id.")
  String id;

  @Option(names = "--from", paramLabel = "ROW", description = "The journal row to start at. Default: the first.")
  Long from;

  @Option(names = "--limit", paramLabel = "ROWS",
      description = "Rows to read, 1 to the node's rsm.admin.max-page. Default: the node's rsm.admin.default-page (100).")
  Integer limit;

  @Option(names = "--json", description = "Print the admin API's JSON as it is.")
  boolean json;

  @Override
  public Integer call() {
    if (from != null && from < 1) throw new Rsm.UsageError("--from: a row of at least 1, not " + from);
    if (limit != null && limit < 1) throw new Rsm.UsageError("--limit: at least 1, not " + limit);
    JsonNode page = new Remote(rsm).journal(type, id, from, limit);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(page);
    } else {
      for (JsonNode s : page.path("steps")) out.println(StepLines.step(s));
      if (!page.path("next").isNull() && !page.path("next").isMissingNode()) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("more rows follow: rsm history " + type + " " + id + " --from " + page.path("next").asLong());
        err.flush();
      }
    }
    out.flush();
    return Rsm.Exit.OK;
  }
}
