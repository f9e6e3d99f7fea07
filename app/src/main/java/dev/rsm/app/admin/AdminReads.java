package dev.rsm.app.admin;

import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.internal.MachineInspector;
import java.sql.SQLException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The admin API's journal reads, off Pekko's dispatchers: JDBC blocks. {@code read-threads}
 * threads, each read taking one of as many {@link MachineInspector}s (one connection each), so
 * admin traffic holds at most that many connections to the journal database and never competes
 * with the machines for a thread. Reads queue when all are busy.
 */
final class AdminReads implements AutoCloseable {
  /** A read of the journal through an inspector. */
  interface Read<T> {
    T run(MachineInspector inspector) throws SQLException;
  }

  private final ExecutorService threads;
  private final BlockingQueue<MachineInspector> inspectors;

  AdminReads(ActorSystem<?> system, MachineRegistry registry, int count) {
    AtomicInteger n = new AtomicInteger();
    this.threads = Executors.newFixedThreadPool(count, r -> {
      Thread t = new Thread(r, "rsm-admin-read-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.inspectors = new ArrayBlockingQueue<>(count);
    for (int i = 0; i < count; i++) inspectors.add(MachineInspector.create(system, registry));
  }

  <T> CompletionStage<T> read(Read<T> read) {
    return CompletableFuture.supplyAsync(() -> {
      MachineInspector inspector = inspectors.poll(); // as many as threads: one is always free here
      try {
        return read.run(inspector);
      } catch (SQLException e) {
        throw new JournalUnavailable(e);
      } finally {
        inspectors.add(inspector);
      }
    }, threads);
  }

  /** The journal database could not be read. */
  static final class JournalUnavailable extends RuntimeException {
    JournalUnavailable(SQLException e) {
      super("the journal database could not be read: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    threads.shutdownNow();
    inspectors.forEach(MachineInspector::close);
  }
}
