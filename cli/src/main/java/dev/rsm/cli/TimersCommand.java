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

/** {@code rsm timers}: a machine's armed timers, from the admin API's view of the machine. */
@Command(name = "timers", mixinStandardHelpOptions = true,
    description = {"Prints a machine's armed timers, one per line: name, generation, deadline, and the input "
        + "a firing delivers.",
        "Reads the admin API on --admin (GET /admin/machines/TYPE/ID, the machine rebuilt from its journal); "
            + "the machine is not started."},
    footer = {"", "Example:", "  rsm timers booking show-1",
        "  hold-A1  generation 1  due 2026-12-02T10:15:00Z (in 14m58s)  expire {\"seat\":\"A1\"}"})
final class TimersCommand implements Callable<Integer> {
  @ParentCommand Rsm rsm;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "TYPE", description = "The machine type.")
  String type;

  @Parameters(index = "1", paramLabel = "ID", description = "The machine id.")
  String id;

  @Option(names = "--json", description = "Print the timers as the admin API's JSON array.")
  boolean json;

  @Override
  public Integer call() {
    JsonNode machine = new Remote(rsm).adminMachine(type, id);
    JsonNode timers = machine.path("timers");
    PrintWriter out = spec.commandLine().getOut();
    if (json) out.println(timers);
    else if (timers.isEmpty()) out.println("no armed timers");
    else for (JsonNode t : timers) out.println(StepLines.timer(t));
    out.flush();
    return Rsm.Exit.OK;
  }
}
