package dev.rsm.testkit;

import dev.rsm.actors.Address;
import dev.rsm.actors.MachineType;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The external inputs of a {@link FailureTransparency} check, in order: each is sent to its
 * machine with its idempotency key, like a client would.
 *
 * <pre>{@code
 * Scenario scenario = Scenario.builder()
 *     .input(Account.TYPE, "alice", new Account.Deposit(100))
 *     .input(Account.TYPE, "alice", new Account.Transfer("bob", 30))
 *     .input(Account.TYPE.address("bob"), "withdraw-1", new Account.Withdraw(10))
 *     .build();
 * }</pre>
 *
 * @param inputs the inputs in sending order
 */
public record Scenario(List<Input> inputs) {
  public Scenario {
    inputs = List.copyOf(inputs);
  }

  /** One external input: {@code input} for the machine at {@code to}, sent with {@code key}. */
  public record Input(Address to, String key, Object input) {
    public Input {
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(key, "an input needs an idempotency key: retries must be safe");
      Objects.requireNonNull(input, "input");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Collects inputs; those given without a key get {@code "input-<n>"} (n counts from 1). */
  public static final class Builder {
    private final List<Input> inputs = new ArrayList<>();

    private Builder() {}

    /** Sends {@code input} to the machine {@code (type, id)}. */
    public <J> Builder input(MachineType<J, ?> type, String id, J input) {
      return input(type.address(id), input);
    }

    public Builder input(Address to, Object input) {
      return input(to, "input-" + (inputs.size() + 1), input);
    }

    /** Sends {@code input} with an explicit key (repeat a key to check idempotent retries). */
    public Builder input(Address to, String key, Object input) {
      inputs.add(new Input(to, key, input));
      return this;
    }

    public Scenario build() {
      return new Scenario(inputs);
    }
  }
}
