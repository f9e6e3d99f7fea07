package dev.rsm.persistence.internal;

import dev.rsm.actors.Address;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.jdbc.journal.dao.DefaultJournalDao;
import scala.jdk.javaapi.FutureConverters;

/**
 * INTERNAL API. A state read of a machine that has never taken a step is answered from its type's
 * initial state, without starting the machine.
 *
 * <p>Starting a machine costs a recovery, an actor on the heap until it passivates, and on
 * sharding (with remembered entities) a write to the shard's remember store when it starts and
 * another when it stops: an anonymous client reading made-up ids would make the node do all of
 * that per request. Instead the read first asks the journal for the machine's highest sequence
 * number (one query on the journal's primary key) and only asks the machine if it has a row. A
 * machine whose first step is being written while the read runs is answered with the initial
 * state, as if the read had come first.
 *
 * <p>The journal is pekko-persistence-jdbc's DAO, registered here when the journal plugin creates
 * it ({@link BatchingJournalDao}); the plugin is started with the runtime. With another DAO
 * configured, reads go to the machine. {@link TransportMachines} asks this before the machine.
 */
public final class UnwrittenReads {
  private final Journal journal;

  private UnwrittenReads(Journal journal) {
    this.journal = journal;
  }

  /**
   * The lookup for {@code system}'s journal, starting its plugin now (it creates its DAO), not with
   * the first machine: the first read of a node may be one of a machine that was never written.
   */
  public static UnwrittenReads of(ActorSystem<?> system) {
    Persistence.get(Adapter.toClassic(system)).journalFor("", com.typesafe.config.ConfigFactory.empty());
    return new UnwrittenReads(Journal.ID.get(Adapter.toClassic(system)));
  }

  /**
   * Completes with whether the machine has a journal row, within {@code timeout}; null when the
   * journal cannot be asked (another DAO is configured, or the plugin is still starting): then the
   * machine is.
   */
  CompletableFuture<Boolean> written(Address of, Duration timeout) {
    DefaultJournalDao dao = journal.dao.get();
    if (dao == null) return null;
    return DirectFuture.of(FutureConverters.asJava(dao.highestSequenceNr(of.persistenceId(), 0L)))
        .thenApply(h -> (Long) h > 0)
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Completes with the journal's highest sequence number for {@code of}, within {@code timeout};
   * null when the journal cannot be asked (another DAO is configured, or the plugin has not
   * started). Does not start the plugin. {@link Sender} asks it when a receiver acknowledges
   * beyond anything the machine numbered, to tell a stale incarnation from a store that lost steps.
   */
  static CompletableFuture<Long> highestSequenceNr(ActorSystem<?> system, Address of, Duration timeout) {
    DefaultJournalDao dao = Journal.ID.get(Adapter.toClassic(system)).dao.get();
    if (dao == null) return null;
    return DirectFuture.of(FutureConverters.asJava(dao.highestSequenceNr(of.persistenceId(), 0L)))
        .thenApply(h -> (Long) h)
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Called by the journal DAO when the journal plugin creates it. */
  static void register(ExtendedActorSystem system, DefaultJournalDao dao) {
    Journal.ID.get(system).dao.set(dao);
  }

  static final class Journal implements Extension {
    static final AbstractExtensionId<Journal> ID = new AbstractExtensionId<>() {
      @Override
      public Journal createExtension(ExtendedActorSystem system) {
        return new Journal();
      }
    };

    final AtomicReference<DefaultJournalDao> dao = new AtomicReference<>();
  }
}
