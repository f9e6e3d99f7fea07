package dev.rsm.multijvm.harness;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** A fresh PostgreSQL database for one scenario; the nodes create their tables in it. */
public final class Database {
  private final String name;
  private final String url;

  private Database(String name, String url) {
    this.name = name;
    this.url = url;
  }

  /** Creates the empty database {@code name} on the shared embedded server. */
  public static Database create(String name) {
    var server = Postgres.server();
    try (Connection c = DriverManager.getConnection(server.jdbcUrl("postgres"));
        Statement st = c.createStatement()) {
      st.execute("DROP DATABASE IF EXISTS " + name);
      st.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("could not create database " + name, e);
    }
    return new Database(name, server.jdbcUrl(name));
  }

  public String name() {
    return name;
  }

  public String jdbcUrl() {
    return url;
  }

  /** One row of {@code event_journal}: the event's Pekko serializer id, manifest and bytes. */
  public record JournalRow(long seqNr, int serializerId, String manifest, byte[] payload) {}

  /** The journal of {@code persistenceId} in sequence-number order (deleted rows included). */
  public List<JournalRow> journal(String persistenceId) {
    try (Connection c = DriverManager.getConnection(url);
        PreparedStatement st = c.prepareStatement(
            "SELECT sequence_number, event_ser_id, event_ser_manifest, event_payload FROM event_journal "
                + "WHERE persistence_id = ? ORDER BY sequence_number")) {
      st.setString(1, persistenceId);
      List<JournalRow> rows = new ArrayList<>();
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) rows.add(new JournalRow(rs.getLong(1), rs.getInt(2), rs.getString(3), rs.getBytes(4)));
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the journal of " + persistenceId + " in " + name, e);
    }
  }
}
