package dev.rsm.persistence.internal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * INTERNAL API. Reads pekko-persistence-jdbc's {@code event_journal} and {@code snapshot} tables
 * with plain JDBC, for the replica monitor: new rows by their global {@code ordering}, one
 * machine's rows by sequence number, one snapshot. One connection, opened on first use and again
 * after a failure; read-only, auto-commit (each query sees what is committed when it runs). The
 * quoted lower-case names match both the H2 and the PostgreSQL schema RSM creates.
 */
final class JournalReader implements AutoCloseable {
  /** One journal row as stored: its place in the journal, whose it is, and its serialized event. */
  record Row(long ordering, String persistenceId, long seqNr, long writeTimestamp, int serializerId,
      String manifest, byte[] payload) {}

  /** A stored snapshot, serialized. */
  record Stored(int serializerId, String manifest, byte[] payload) {}

  private static final String COLUMNS = "\"ordering\", \"persistence_id\", \"sequence_number\", "
      + "\"write_timestamp\", \"event_ser_id\", \"event_ser_manifest\", \"event_payload\"";

  private final String url;
  private final Properties properties = new Properties();
  private Connection connection;

  /** Reads the database of {@code jdbc}, a resolved {@code rsm.storage.jdbc} section. */
  JournalReader(Config jdbc) {
    this.url = jdbc.getString("url");
    if (jdbc.hasPath("properties"))
      for (Map.Entry<String, ConfigValue> p : jdbc.getConfig("properties").entrySet())
        properties.setProperty(p.getKey(), String.valueOf(p.getValue().unwrapped()));
    properties.setProperty("user", jdbc.getString("user"));
    properties.setProperty("password", jdbc.getString("password"));
  }

  /** Up to {@code limit} rows with an ordering above {@code after}, in ordering order. */
  List<Row> after(long after, int limit) throws SQLException {
    PreparedStatement st = connection().prepareStatement("SELECT " + COLUMNS + " FROM \"event_journal\""
        + " WHERE \"ordering\" > ? AND \"deleted\" = FALSE ORDER BY \"ordering\" LIMIT " + limit);
    st.setLong(1, after);
    return rows(st);
  }

  /** The rows of one machine with sequence numbers {@code from} to {@code to}, in order. */
  List<Row> rows(String persistenceId, long from, long to) throws SQLException {
    PreparedStatement st = connection().prepareStatement("SELECT " + COLUMNS + " FROM \"event_journal\""
        + " WHERE \"persistence_id\" = ? AND \"sequence_number\" BETWEEN ? AND ? AND \"deleted\" = FALSE"
        + " ORDER BY \"sequence_number\"");
    st.setString(1, persistenceId);
    st.setLong(2, from);
    st.setLong(3, to);
    return rows(st);
  }

  /** The highest ordering in the journal (0 when empty). */
  long maxOrdering() throws SQLException {
    try (PreparedStatement st = connection().prepareStatement("SELECT MAX(\"ordering\") FROM \"event_journal\"");
        ResultSet rs = st.executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /** The snapshot of {@code persistenceId} at journal row {@code seqNr}, or null if there is none. */
  Stored snapshot(String persistenceId, long seqNr) throws SQLException {
    try (PreparedStatement st = connection().prepareStatement(
        "SELECT \"snapshot_ser_id\", \"snapshot_ser_manifest\", \"snapshot_payload\" FROM \"snapshot\""
            + " WHERE \"persistence_id\" = ? AND \"sequence_number\" = ?")) {
      st.setString(1, persistenceId);
      st.setLong(2, seqNr);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? new Stored(rs.getInt(1), rs.getString(2), rs.getBytes(3)) : null;
      }
    }
  }

  private List<Row> rows(PreparedStatement st) throws SQLException {
    try (st; ResultSet rs = st.executeQuery()) {
      List<Row> rows = new ArrayList<>();
      while (rs.next())
        rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getInt(5),
            rs.getString(6), rs.getBytes(7)));
      return rows;
    }
  }

  private Connection connection() throws SQLException {
    if (connection == null) {
      connection = DriverManager.getConnection(url, properties);
      connection.setReadOnly(true);
    }
    return connection;
  }

  /** Drops the connection after a failure; the next query opens a new one. */
  void reset() {
    close();
  }

  @Override
  public void close() {
    if (connection == null) return;
    try {
      connection.close();
    } catch (SQLException ignored) {
      // closing a broken connection
    }
    connection = null;
  }
}
