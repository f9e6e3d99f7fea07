package dev.rsm.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code rsm get}: a machine's state, as the node's {@code GET /machines/{type}/{id}} answers it. */
@Command(name = "get", mixinStandardHelpOptions = true,
    description = {"Prints a machine's state as JSON: {\"type\",\"id\",\"state\",\"seqNr\",\"unackedOutputs\",\"armedTimers\"}.",
        "A machine that never took a step answers its initial state with seqNr 0. A read changes nothing "
            + "and is retried until --timeout."},
    footer = {"", "Example:", "  rsm get account alice",
        "  {\"type\":\"account\",\"id\":\"alice\",\"state\":{\"balance\":100},\"seqNr\":1,\"unackedOutputs\":0,\"armedTimers\":0}"})
final class GetCommand implements Callable<Integer> {
  @ParentCommand Rsm rsm;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "TYPE", description = "The machine type.")
  String type;

  @Parameters(index = "1", paramLabel = "ID", description = "The machine id.")
  String id;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    out.println(new Remote(rsm).state(type, id));
    out.flush();
    return Rsm.Exit.OK;
  }
}
