package dev.rsm.persistence.internal;

import dev.rsm.actors.Step;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * INTERNAL API. User values as a node's journal sees them, shared by its machines: whether a step
 * can be journaled and read back, what two values are compared as (their journal encoding), and
 * the fingerprint kept with an idempotency key.
 */
final class JournalValues implements Extension {
  private static final AbstractExtensionId<JournalValues> ID = new AbstractExtensionId<>() {
    @Override
    public JournalValues createExtension(ExtendedActorSystem system) {
      return new JournalValues(Adapter.toTyped(system));
    }
  };

  static JournalValues get(ActorSystem<?> system) {
    return ID.get(Adapter.toClassic(system));
  }

  // Null when another serializer writes the journal's rows: then nothing is checked before a step.
  private final PayloadBytes codec;
  private final AllowedClasses allowed;

  private JournalValues(ActorSystem<?> system) {
    JournalCodec journal = RsmJournalSerializer.codec(system);
    this.codec = journal == null ? null : journal.bytes();
    this.allowed = AllowedClasses.get(system);
  }

  /**
   * Refuses a step whose values the journal could not write or read back: a reply or next state of
   * a class this node does not read (AllowedClasses), or a value its encoding refuses
   * ({@link PayloadBytes.NotJournalable}). A write that failed later would fail for good, and a
   * row that cannot be read would stop every recovery.
   */
  void check(StepTaken event, Step<Object> step, Object user) {
    allowed.check(step.reply(), "the reply");
    if (step.nextState(user) != user) allowed.check(step.nextState(user), "the next state");
    if (codec != null) codec.checkJournalable(event);
  }

  /** What user values are compared with: the journal's own encoding. */
  PayloadBytes comparing() {
    return codec != null ? codec : PayloadBytes.standalone();
  }

  long fingerprint(Object input) {
    return codec == null ? 0 : codec.fingerprint(input);
  }

  /** The fingerprint of a keyed external input, kept with its key; 0 for other steps. */
  long keyFingerprint(StepTaken e) {
    return e.origin() instanceof Origin.External x && x.key() != null && e.rejected() == null
        ? fingerprint(e.input()) : 0;
  }
}
