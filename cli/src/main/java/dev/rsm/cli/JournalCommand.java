package dev.rsm.cli;

import dev.rsm.testkit.JournalFile;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rsm journal}: the journal as a file, to check an upgrade against it elsewhere. */
@Command(name = "journal", mixinStandardHelpOptions = true,
    description = "Works on a journal's database directly (not through a node).",
    subcommands = {JournalCommand.Export.class, CommandLine.HelpCommand.class})
final class JournalCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a subcommand: rsm journal export --help");
  }

  /**
   * {@code rsm journal export}: every machine's events, as the database holds them, to a file
   * {@code replay-check --journal} reads (the testkit's {@link JournalFile} format).
   */
  @Command(name = "export", mixinStandardHelpOptions = true,
      description = {"Writes every machine's journal to a file: JSON lines, each event's bytes as the database "
          + "holds them, so exporting needs none of the machines' classes.",
          "Reads the database itself, read-only; the nodes may keep running. Prints how many events it wrote."},
      footer = {"", "Examples:", "  rsm journal export --out prod.journal --config /opt/rsm/config/postgres.conf",
          "  RSM_DB_PASSWORD=... rsm journal export --out prod.journal --jdbc-url jdbc:postgresql://db/rsm --user rsm",
          "  exported 1234 events to prod.journal"})
  static final class Export implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE", required = true, description = "The file to write (replaced).")
    Path out;

    @ArgGroup(exclusive = false, heading = "%nThe database:%n")
    JournalOptions db = new JournalOptions();

    @Override
    public Integer call() {
      long n;
      try {
        n = JournalFile.export(db.source(), out);
      } catch (UncheckedIOException e) {
        throw new IllegalStateException("could not write " + out + " (" + e.getCause().getClass().getSimpleName() + ")", e);
      }
      PrintWriter w = spec.commandLine().getOut();
      w.println("exported " + n + " events to " + out);
      w.flush();
      return Rsm.Exit.OK;
    }
  }
}
