package dev.rsm.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code rsm send}: one input under an idempotency key, retried like rsm-client retries it, so
 * that running the command again with the same key never handles the input twice.
 */
@Command(name = "send", mixinStandardHelpOptions = true,
    description = {"Sends one input to a machine and prints its reply as JSON.",
        "The input is retried under its idempotency key through 503s, timeouts and dead nodes until --timeout; "
            + "the machine handles it once however many requests reach it. Without --key a new key is made "
            + "and printed on stderr: run the command again with it to retry safely."},
    footer = {"", "Example:", "  rsm send account alice '{\"type\":\"deposit\",\"amount\":100}' --key dep-1",
        "  {\"accepted\":true,\"balance\":100}"})
final class SendCommand implements Callable<Integer> {
  @ParentCommand Rsm rsm;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "TYPE", description = "The machine type, e.g. account.")
  String type;

  @Parameters(index = "1", paramLabel = "ID", description = "The machine id, e.g. alice.")
  String id;

  @Parameters(index = "2", paramLabel = "INPUT",
      description = "The input as a JSON object with its name in \"type\", e.g. '{\"type\":\"deposit\",\"amount\":100}'.")
  String input;

  @Option(names = {"-k", "--key"}, paramLabel = "KEY",
      description = "The idempotency key (at most 255 characters). Default: a new random key, printed on stderr.")
  String key;

  @Override
  public Integer call() {
    JsonNode body;
    try {
      body = Remote.JSON.readTree(input);
    } catch (JsonProcessingException e) {
      throw new Rsm.UsageError("INPUT is not JSON: " + e.getOriginalMessage());
    }
    if (body == null || !body.isObject() || !body.path("type").isTextual())
      throw new Rsm.UsageError("INPUT must be a JSON object naming the input in \"type\", e.g. "
          + "'{\"type\":\"deposit\",\"amount\":100}'");
    PrintWriter err = spec.commandLine().getErr();
    String k = key;
    if (k == null) {
      k = UUID.randomUUID().toString();
      err.println("idempotency key: " + k + " (send again with --key " + k + " to retry without handling it twice)");
      err.flush();
    }
    Remote.Reply reply = new Remote(rsm).send(type, id, k, (ObjectNode) body);
    if (reply.replayed()) {
      err.println("replayed: the reply recorded for key " + k + "; the input was not handled again");
      err.flush();
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(reply.json());
    out.flush();
    return Rsm.Exit.OK;
  }
}
