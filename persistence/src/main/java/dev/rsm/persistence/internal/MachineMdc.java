package dev.rsm.persistence.internal;

import dev.rsm.actors.Address;
import dev.rsm.persistence.internal.Protocol.Ingress;
import org.slf4j.MDC;

/**
 * INTERNAL API. The machine a log line is about, in the MDC of every line logged while the
 * machine's actor handles a message or a signal (the runtime's own lines and Pekko's event-sourcing
 * lines alike, since both log on that thread then): {@value #TYPE}, {@value #ID}, and, while a step
 * is taken, {@value #SEQ} (the step's journal sequence number) and {@value #KEY} (the external
 * input's idempotency key, when it has one). Set on entry and removed on exit, so a line logged by
 * the same thread for another actor never carries them.
 */
public final class MachineMdc {
  /** The machine's type name. */
  public static final String TYPE = "machine.type";
  /** The machine's id within its type. */
  public static final String ID = "machine.id";
  /** The journal sequence number of the step being taken. */
  public static final String SEQ = "step.seq";
  /** The idempotency key of the external input being handled. */
  public static final String KEY = "idempotency.key";

  private MachineMdc() {}

  static void enter(Address machine, Object msg) {
    MDC.put(TYPE, machine.type());
    MDC.put(ID, machine.id());
    if (msg instanceof Ingress in && in.key() != null) MDC.put(KEY, in.key());
  }

  /** The step being taken is number {@code seqNr} of the machine's journal. */
  static void step(long seqNr) {
    MDC.put(SEQ, Long.toString(seqNr));
  }

  static void exit() {
    MDC.remove(TYPE);
    MDC.remove(ID);
    MDC.remove(SEQ);
    MDC.remove(KEY);
  }
}
