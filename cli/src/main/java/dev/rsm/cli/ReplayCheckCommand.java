package dev.rsm.cli;

import dev.rsm.actors.MachineType;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.testkit.JournalSource;
import dev.rsm.testkit.ReplayCheck;
import dev.rsm.testkit.ReplayReport;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rsm replay-check}: the handlers of a jar run over a recorded journal, as recovery would run
 * them after deploying it (the testkit's {@link ReplayCheck}); exit 1 names the first step of each
 * machine whose outputs differ.
 */
@Command(name = "replay-check", mixinStandardHelpOptions = true,
    description = {"Checks a jar of machines against a recorded journal before deploying it: replays every "
        + "journaled step of the jar's machine types with the jar's handlers and reports, per machine, the first "
        + "step whose sends, timers or reply differ, whose handler now throws, or whose event the jar's classes "
        + "cannot read.",
        "The jar's types are found through java.util.ServiceLoader of dev.rsm.persistence.MachineModule. "
            + "Journals of other types are listed as not checked. Exit 0: no divergence; 1: some machine diverges."},
    footer = {"", "Examples:", "  rsm replay-check --jar target/machines.jar --journal prod.journal",
        "  rsm replay-check --jar target/machines.jar --config /opt/rsm/config/postgres.conf",
        "  ok        account/alice: 3 steps",
        "  DIVERGES  account/bob at step 2: journaled reply ..., replay produced reply ...",
        "  replay check failed: 1 of 2 machines diverge; ..."})
final class ReplayCheckCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--jar", paramLabel = "JAR", required = true,
      description = "The jar of machines to check, with META-INF/services/dev.rsm.persistence.MachineModule. "
          + "RSM's own classes come from this tool.")
  Path jar;

  @Option(names = "--journal", paramLabel = "FILE", description = "A journal written by rsm journal export.")
  Path journal;

  @ArgGroup(exclusive = false, heading = "%nOr the database (instead of --journal):%n")
  JournalOptions db = new JournalOptions();

  @Override
  public Integer call() {
    if (journal != null && db.given()) throw new Rsm.UsageError("give --journal or the database options, not both");
    JournalSource source;
    if (journal != null) {
      if (!Files.isReadable(journal)) throw new Rsm.UsageError("--journal: cannot read " + journal);
      try {
        source = JournalSource.file(journal);
      } catch (IllegalArgumentException e) {
        throw new Rsm.UsageError("--journal: " + e.getMessage());
      }
    } else if (db.given()) {
      source = db.source();
    } else {
      throw new Rsm.UsageError("name the journal: --journal FILE, or --jdbc-url URL or --config node.conf");
    }
    PrintWriter out = spec.commandLine().getOut();
    try (MachineJar machines = MachineJar.open(jar)) {
      ReplayReport report = ReplayCheck.run(source, MachineRegistry.of(machines.types), machines.loader);
      out.println("types in " + jar.getFileName() + ": "
          + machines.types.stream().map(MachineType::name).toList());
      for (ReplayReport.Machine m : report.machines())
        out.println(m.divergence() == null
            ? "ok        " + m.machine() + ": " + m.steps() + " steps"
            : "DIVERGES  " + m.machine() + " at step " + m.divergence().seqNr() + ": " + m.divergence().difference());
      for (String s : report.skipped()) out.println("skipped   " + s);
      out.println(report.summary());
      out.flush();
      return report.ok() ? Rsm.Exit.OK : Rsm.Exit.DIVERGED;
    }
  }
}
