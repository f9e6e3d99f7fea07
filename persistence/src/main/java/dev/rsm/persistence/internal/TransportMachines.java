package dev.rsm.persistence.internal;

import dev.rsm.actors.Address;
import dev.rsm.actors.MachineType;
import dev.rsm.persistence.IngressResult;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.MachineUnavailableException;
import dev.rsm.persistence.MachineView;
import dev.rsm.persistence.Machines;
import dev.rsm.persistence.RuntimeSettings;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/** INTERNAL API. The {@link Machines} client of a runtime, over its transport. */
public final class TransportMachines {
  private TransportMachines() {}

  /**
   * A {@link Machines} that asks the machines through {@code transport}; a state read of a machine
   * without a journal row is answered with its initial state, without starting it ({@link
   * UnwrittenReads}). With tracing on, an input carries the caller's current OpenTelemetry span
   * as its trace context, so the machine's step is that span's child.
   */
  public static Machines over(Transport transport, MachineRegistry registry, RuntimeSettings settings,
      UnwrittenReads reads, Tracing tracing) {
    return new Machines() {
      @Override
      public MachineRegistry registry() {
        return registry;
      }

      @Override
      public CompletionStage<IngressResult> ask(
          Address to, String key, Object input, Duration timeout) {
        registry.get(to.type());
        String trace = tracing.current(); // the caller's span, if any; null when tracing is off
        return DirectFuture.of(transport.ask(to, replyTo -> new Protocol.Ingress(key, input, replyTo, trace), timeout));
      }

      @Override
      public CompletionStage<IngressResult> ask(Address to, String key, Object input) {
        return ask(to, key, input, settings.askTimeout());
      }

      @Override
      public CompletionStage<MachineView> state(Address of, Duration timeout) {
        MachineType<?, ?> type = registry.get(of.type());
        java.util.concurrent.CompletableFuture<Boolean> written = reads.written(of, timeout);
        if (written == null) return ask(of, timeout);
        return written.thenCompose(w -> w ? ask(of, timeout)
            : java.util.concurrent.CompletableFuture.completedFuture(new MachineView(type.initialState(), 0, 0, 0)));
      }

      private CompletionStage<MachineView> ask(Address of, Duration timeout) {
        return DirectFuture.of(transport.<Object>ask(of, Protocol.GetState::new, timeout)).thenApply(answer -> {
          if (answer instanceof MachineView v) return v;
          throw new MachineUnavailableException(IngressResult.Unavailable.Reason.NOT_LEASED, "machine " + of
              + " is not answering on this node now: the node does not hold the lease of its shard; retry");
        });
      }

      @Override
      public CompletionStage<MachineView> state(Address of) {
        return state(of, settings.askTimeout());
      }
    };
  }
}
