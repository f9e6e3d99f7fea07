package dev.rsm.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * db: the store's own limit. {@code threads} connections insert journal rows into the same {@code
 * event_journal} table (same indexes) with plain JDBC, {@code batch} rows per commit, each row with a
 * payload of the size rsm's events had. No actors, no serialization: the ceiling any journal-backed
 * workload runs against on this store.
 */
final class DbWorkload implements Workload {
  private static final String INSERT = "INSERT INTO \"event_journal\" (\"persistence_id\", "
      + "\"sequence_number\", \"deleted\", \"writer\", \"write_timestamp\", \"adapter_manifest\", "
      + "\"event_ser_id\", \"event_ser_manifest\", \"event_payload\") VALUES (?, ?, false, ?, ?, '', 33, 'bench', ?)";

  private final Store store;
  private final String tag;
  private final int threads;
  private final int batch;
  private final int rowBytes;
  private final int persistenceIds;
  private final Meter meter = new Meter(1);
  private final List<Thread> workers = new ArrayList<>();
  private volatile boolean running;
  private volatile Exception failure;

  DbWorkload(Store store, String tag, int threads, int batch, int rowBytes, int persistenceIds) {
    this.store = store;
    this.tag = tag;
    this.threads = threads;
    this.batch = batch;
    this.rowBytes = rowBytes;
    this.persistenceIds = persistenceIds;
  }

  @Override
  public String name() {
    return "db";
  }

  @Override
  public void start() {
    // The journal's table, as a node creates it (run alone, no workload before this one did).
    dev.rsm.persistence.JdbcSchema.ensure(dev.rsm.persistence.RsmConfig.load(store.config()));
    running = true;
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Thread w = new Thread(() -> insert(thread), "db-writer-" + t);
      w.setDaemon(true);
      workers.add(w);
      w.start();
    }
  }

  private void insert(int thread) {
    byte[] payload = new byte[rowBytes];
    new Random(thread).nextBytes(payload);
    long[] seq = new long[persistenceIds];
    try (Connection c = store.connect(); PreparedStatement st = c.prepareStatement(INSERT)) {
      c.setAutoCommit(false);
      long row = 0;
      while (running) {
        for (int i = 0; i < batch; i++, row++) {
          int pid = (int) (row % persistenceIds);
          st.setString(1, "db-" + tag + "|t" + thread + "-" + pid);
          st.setLong(2, ++seq[pid]);
          st.setString(3, "bench");
          st.setLong(4, System.currentTimeMillis());
          st.setBytes(5, payload);
          st.addBatch();
        }
        st.executeBatch();
        c.commit();
        meter.add(batch);
      }
    } catch (Exception e) {
      failure = e;
    }
  }

  @Override
  public Meter meter() {
    if (failure != null) throw new IllegalStateException("db workload failed: " + failure, failure);
    return meter;
  }

  @Override
  public Map<String, Object> facts() {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("threads", threads);
    f.put("rows_per_commit", batch);
    f.put("bytes_per_row", rowBytes);
    return f;
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    for (Thread w : workers) w.join(30_000);
  }
}
