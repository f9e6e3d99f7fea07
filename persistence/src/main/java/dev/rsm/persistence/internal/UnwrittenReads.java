package dev.rsm.persistence.internal;

import dev.rsm.actors.Address;
import dev.rsm.actors.MachineType;
import dev.rsm.persistence.IngressResult;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.MachineView;
import dev.rsm.persistence.Machines;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
 * configured, reads go to the machine.
 */
public final class UnwrittenReads {
  private UnwrittenReads() {}

  /** {@code machines} with state reads of never-written machines answered without them. */
  public static Machines of(Machines machines, ActorSystem<?> system, Duration askTimeout) {
    Journal journal = Journal.ID.get(Adapter.toClassic(system));
    // Starts the journal plugin now (it creates its DAO), not with the first machine: the first
    // read of a node may be one of a machine that was never written.
    Persistence.get(Adapter.toClassic(system)).journalFor("", com.typesafe.config.ConfigFactory.empty());
    MachineRegistry registry = machines.registry();
    return new Machines() {
      @Override
      public MachineRegistry registry() {
        return registry;
      }

      @Override
      public CompletionStage<IngressResult> ask(Address to, String key, Object input, Duration timeout) {
        return machines.ask(to, key, input, timeout);
      }

      @Override
      public CompletionStage<IngressResult> ask(Address to, String key, Object input) {
        return machines.ask(to, key, input);
      }

      @Override
      public CompletionStage<MachineView> state(Address of, Duration timeout) {
        MachineType<?, ?> type = registry.get(of.type());
        DefaultJournalDao dao = journal.dao.get();
        if (dao == null) return machines.state(of, timeout);
        CompletableFuture<Long> highest = DirectFuture.of(
                FutureConverters.asJava(dao.highestSequenceNr(of.persistenceId(), 0L)))
            .thenApply(h -> (Long) h)
            .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return highest.thenCompose(h -> h == 0
            ? CompletableFuture.completedFuture(new MachineView(type.initialState(), 0, 0, 0))
            : machines.state(of, timeout));
      }

      @Override
      public CompletionStage<MachineView> state(Address of) {
        return state(of, askTimeout);
      }
    };
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
