package dev.rsm.persistence.internal;

import dev.rsm.actors.Address;
import dev.rsm.persistence.IngressResult;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.MachineView;
import dev.rsm.persistence.Machines;
import dev.rsm.persistence.RuntimeSettings;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/** INTERNAL API. The {@link Machines} client of a runtime, over its transport. */
public final class TransportMachines {
  private TransportMachines() {}

  /** A {@link Machines} that asks the machines through {@code transport}. */
  public static Machines over(Transport transport, MachineRegistry registry, RuntimeSettings settings) {
    return new Machines() {
      @Override
      public MachineRegistry registry() {
        return registry;
      }

      @Override
      public CompletionStage<IngressResult> ask(
          Address to, String key, Object input, Duration timeout) {
        registry.get(to.type());
        return DirectFuture.of(transport.ask(to, replyTo -> new Protocol.Ingress(key, input, replyTo), timeout));
      }

      @Override
      public CompletionStage<IngressResult> ask(Address to, String key, Object input) {
        return ask(to, key, input, settings.askTimeout());
      }

      @Override
      public CompletionStage<MachineView> state(Address of, Duration timeout) {
        registry.get(of.type());
        return DirectFuture.of(transport.ask(of, Protocol.GetState::new, timeout));
      }

      @Override
      public CompletionStage<MachineView> state(Address of) {
        return state(of, settings.askTimeout());
      }
    };
  }
}
