package dev.rsm.multijvm.harness;

import dev.rsm.persistence.testing.StoppablePostgres;

/**
 * The one embedded PostgreSQL server of this test JVM, started on first use; every scenario gets a
 * fresh database on it ({@link Database#create}). It can be stopped and started again on the same
 * port and data directory to simulate an outage.
 */
public final class Postgres {
  private static StoppablePostgres server;

  private Postgres() {}

  public static synchronized StoppablePostgres server() {
    if (server == null) {
      server = new StoppablePostgres();
      StoppablePostgres s = server;
      Runtime.getRuntime().addShutdownHook(new Thread(s::close, "stop-embedded-postgres"));
    }
    return server;
  }
}
