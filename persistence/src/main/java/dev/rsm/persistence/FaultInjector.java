package dev.rsm.persistence;

import dev.rsm.actors.Address;

/**
 * Crash injection for tests: consulted at every boundary where a real crash would leave work half
 * done. Returning {@code true} makes the machine fail at that point exactly as if its process had
 * died there (the actor fails and is restarted from its journal). Production uses {@link #NONE}.
 */
@FunctionalInterface
public interface FaultInjector {

  /** The boundaries where a crash matters. */
  enum Point {
    /** The step was computed but not journaled. */
    BEFORE_JOURNAL,
    /** The step is journaled; its outputs were not sent. */
    AFTER_JOURNAL_BEFORE_SEND,
    /** The outputs were sent; the input was not acknowledged (nor replied to). */
    AFTER_SEND_BEFORE_ACK,
    /**
     * The step is complete (sent, acknowledged, replied to); the machine dies before its next
     * input, losing what it kept only in memory (which outputs were acknowledged, resend timers).
     */
    AFTER_ACK,
    /** While replaying the journal. */
    DURING_RECOVERY
  }

  FaultInjector NONE = (point, machine) -> false;

  boolean crash(Point point, Address machine);

  /** Thrown to simulate a crash. */
  final class InjectedCrash extends RuntimeException {
    public InjectedCrash(Point point, Address machine) {
      super("injected crash " + point + " in " + machine, null, false, false);
    }
  }
}
