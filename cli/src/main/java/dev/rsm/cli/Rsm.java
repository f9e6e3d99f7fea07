package dev.rsm.cli;

import dev.rsm.client.HandlerFailed;
import dev.rsm.client.InvalidInput;
import dev.rsm.client.NotFound;
import dev.rsm.client.TooLarge;
import dev.rsm.client.TooManyKeys;
import dev.rsm.client.Unauthorized;
import dev.rsm.client.Unavailable;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code rsm} command: talks to a node's HTTP API and admin API, exports journals and checks a
 * jar of machines against one (docs/cli.md). Every failure ends in one line on stderr and an exit
 * code of its kind ({@link Exit}), so scripts can tell a refused input from a node that did not
 * answer.
 */
@Command(name = "rsm", mixinStandardHelpOptions = true, versionProvider = Rsm.Version.class,
    description = {"Sends inputs to RSM machines, reads their state, journal and timers, exports a journal and "
        + "checks a jar of machines against it.", ""},
    subcommands = {SendCommand.class, GetCommand.class, HistoryCommand.class, TimersCommand.class,
        JournalCommand.class, ReplayCheckCommand.class, CommandLine.HelpCommand.class},
    footerHeading = "%nEnvironment:%n",
    footer = {"  RSM_NODES   comma-separated node URLs (--node)", "  RSM_ADMIN   the management URL (--admin)",
        "  RSM_TOKEN   the bearer token (--token)", "", "Docs: docs/cli.md"},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:done",
        "1:replay-check: some machine's replay diverges from its journal",
        "2:bad usage: an unknown option, a missing argument, an input that is not JSON, a jar or file that cannot be read",
        "3:not found: unknown machine type, or a machine that never took a step (history, timers)",
        "4:input refused before handling (400, 413, 422 key reused, 429 too many keys): nothing handled",
        "5:the handler threw (500): nothing journaled",
        "6:unauthorized (401): --token missing or wrong",
        "7:unavailable: no node answered in time; a sent input may have been handled, send it again with the same --key",
        "8:any other failure: an answer the API does not give, a database that cannot be read, a file that cannot be written"})
public final class Rsm implements Callable<Integer> {
  /** The exit codes, as listed in the help. */
  static final class Exit {
    static final int OK = 0;
    static final int DIVERGED = 1;
    static final int USAGE = 2;
    static final int NOT_FOUND = 3;
    static final int REFUSED = 4;
    static final int HANDLER_FAILED = 5;
    static final int UNAUTHORIZED = 6;
    static final int UNAVAILABLE = 7;
    static final int FAILED = 8;

    private Exit() {}
  }

  @Option(names = "--node", paramLabel = "URL", split = ",", scope = ScopeType.INHERIT,
      defaultValue = "${env:RSM_NODES:-http://localhost:8080}",
      description = "A node's HTTP base URL; repeat it (or separate by commas) for several: a retry goes to the next."
          + " Default: $RSM_NODES, else ${DEFAULT-VALUE}.")
  List<URI> nodes;

  @Option(names = "--admin", paramLabel = "URL", scope = ScopeType.INHERIT,
      defaultValue = "${env:RSM_ADMIN:-http://localhost:8558}",
      description = "The management base URL, where the admin API is (history, timers)."
          + " Default: $RSM_ADMIN, else ${DEFAULT-VALUE}.")
  URI admin;

  @Option(names = "--token", paramLabel = "TOKEN", scope = ScopeType.INHERIT, defaultValue = "${env:RSM_TOKEN}",
      description = "The bearer token of nodes with rsm.http.auth on (docs/security.md). Default: $RSM_TOKEN.")
  String token;

  @Option(names = "--timeout", paramLabel = "DURATION", scope = ScopeType.INHERIT, defaultValue = "30s",
      converter = Durations.class,
      description = "How long a call may take, retries included (e.g. 500ms, 10s, 2m). Default: ${DEFAULT-VALUE}.")
  Duration timeout;

  @Spec CommandSpec spec;

  /** {@code rsm} without a command: the usage, on stderr, as for any other usage error. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return Exit.USAGE;
  }

  /** A refused use of the tool (exit 2), found after picocli parsed the command line. */
  static final class UsageError extends RuntimeException {
    UsageError(String message) {
      super(message);
    }
  }

  /** Runs the tool and exits with its code. */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line, with the exit codes and one-line errors of this tool. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Rsm());
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      PrintWriter err = cmd.getErr();
      err.println("rsm: " + message(e));
      err.flush();
      return exitCode(e);
    });
    // One line, not the whole usage: the command's --help has that.
    cl.setParameterExceptionHandler((e, args) -> {
      PrintWriter err = e.getCommandLine().getErr();
      err.println("rsm: " + e.getMessage() + " (see " + e.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
      err.flush();
      return Exit.USAGE;
    });
    return cl;
  }

  static int exitCode(Throwable e) {
    if (e instanceof UsageError || e instanceof CommandLine.ParameterException) return Exit.USAGE;
    if (e instanceof NotFound) return Exit.NOT_FOUND;
    if (e instanceof InvalidInput || e instanceof TooLarge || e instanceof TooManyKeys) return Exit.REFUSED;
    if (e instanceof HandlerFailed) return Exit.HANDLER_FAILED;
    if (e instanceof Unauthorized) return Exit.UNAUTHORIZED;
    if (e instanceof Unavailable) return Exit.UNAVAILABLE;
    return Exit.FAILED;
  }

  private static String message(Throwable e) {
    String m = e.getMessage() == null ? e.toString() : e.getMessage();
    if (e instanceof NotFound) return "not found: " + m;
    if (e instanceof InvalidInput i) return (i.keyReused() ? "key reused with another input (422): " : "refused (400): ") + m;
    if (e instanceof TooLarge) return "too large (413): " + m;
    if (e instanceof TooManyKeys k) return "too many keys (429): " + m + "; retry after " + k.retryAfter().toSeconds() + "s";
    if (e instanceof HandlerFailed h) return "the handler failed (500): " + m
        + (h.errorId() == null ? "" : "; the node's log has it under " + h.errorId());
    if (e instanceof Unauthorized) return "unauthorized (401): " + m + "; give --token or RSM_TOKEN";
    if (e instanceof Unavailable) return "unavailable: " + m;
    if (e instanceof UsageError) return m;
    return m;
  }

  /** The version in the jar's manifest, when run from the jar. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Rsm.class.getPackage().getImplementationVersion();
      return new String[] {"rsm " + (v == null ? "(development build)" : v)};
    }
  }
}
