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
 * with plain JDBC, for the replica monitor and the admin API ({@link MachineInspector}): new rows
 * by their global {@code ordering}, one machine's rows by sequence number, its snapshots, and the
 * machines of a type. One connection, opened on first use and again
 * after a failure; read-only, auto-commit (each query sees what is committed when it runs). The
 * quoted lower-case names match both the H2 and the PostgreSQL schema RSM creates.
 */
final class JournalReader implements AutoCloseable {
  /** One journal row as stored: its place in the journal, whose it is, and its serialized event. */
  record Row(long ordering, String persistenceId, long seqNr, long writeTimestamp, int serializerId,
      String manifest, byte[] payload) {}

  /** A stored snapshot, serialized. */
  record Stored(int serializerId, String manifest, byte[] payload) {}

  /** A stored snapshot and the journal row it was taken at. */
  record StoredAt(long seqNr, Stored stored) {}

  /** One machine in the journal: its persistence id, highest row and that row's write time. */
  record Machine(String persistenceId, long rows, long lastWrite) {}

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

  /**
   * Up to {@code limit} machines whose persistence id starts with {@code prefix}, sorts after
   * {@code after} and contains {@code contains} past the prefix (null: any), in persistence id
   * order. Reads the journal's rows only: no machine is started.
   */
  List<Machine> machines(String prefix, String after, String contains, int limit) throws SQLException {
    String like = likeEscaped(prefix) + "%" + (contains == null ? "" : likeEscaped(contains) + "%");
    try (PreparedStatement st = connection().prepareStatement("SELECT \"persistence_id\", MAX(\"sequence_number\"),"
        + " MAX(\"write_timestamp\") FROM \"event_journal\" WHERE \"persistence_id\" LIKE ? ESCAPE '!'"
        + " AND \"persistence_id\" > ? AND \"deleted\" = FALSE GROUP BY \"persistence_id\""
        + " ORDER BY \"persistence_id\" LIMIT " + limit)) {
      st.setString(1, like);
      st.setString(2, after);
      try (ResultSet rs = st.executeQuery()) {
        List<Machine> machines = new ArrayList<>();
        while (rs.next()) machines.add(new Machine(rs.getString(1), rs.getLong(2), rs.getLong(3)));
        return machines;
      }
    }
  }

  /** How many machines' persistence ids start with {@code prefix}. */
  long countMachines(String prefix) throws SQLException {
    try (PreparedStatement st = connection().prepareStatement("SELECT COUNT(DISTINCT \"persistence_id\") FROM"
        + " \"event_journal\" WHERE \"persistence_id\" LIKE ? ESCAPE '!' AND \"deleted\" = FALSE")) {
      st.setString(1, likeEscaped(prefix) + "%");
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }

  private static String likeEscaped(String s) {
    return s.replace("!", "!!").replace("%", "!%").replace("_", "!_");
  }

  /**
   * Up to {@code limit} rows of one machine from row {@code from} on (ascending) or up to row
   * {@code from} (descending), in that order.
   */
  List<Row> page(String persistenceId, long from, int limit, boolean descending) throws SQLException {
    PreparedStatement st = connection().prepareStatement("SELECT " + COLUMNS + " FROM \"event_journal\""
        + " WHERE \"persistence_id\" = ? AND \"sequence_number\" " + (descending ? "<=" : ">=")
        + " ? AND \"deleted\" = FALSE ORDER BY \"sequence_number\"" + (descending ? " DESC" : "") + " LIMIT " + limit);
    st.setString(1, persistenceId);
    st.setLong(2, from);
    return rows(st);
  }

  /** The highest row of one machine (0 when it has none). */
  long highestRow(String persistenceId) throws SQLException {
    try (PreparedStatement st = connection().prepareStatement("SELECT MAX(\"sequence_number\") FROM"
        + " \"event_journal\" WHERE \"persistence_id\" = ? AND \"deleted\" = FALSE")) {
      st.setString(1, persistenceId);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }

  /** The latest snapshot of {@code persistenceId} taken at row {@code upTo} or before, or null. */
  StoredAt latestSnapshot(String persistenceId, long upTo) throws SQLException {
    try (PreparedStatement st = connection().prepareStatement(
        "SELECT \"sequence_number\", \"snapshot_ser_id\", \"snapshot_ser_manifest\", \"snapshot_payload\""
            + " FROM \"snapshot\" WHERE \"persistence_id\" = ? AND \"sequence_number\" <= ?"
            + " ORDER BY \"sequence_number\" DESC LIMIT 1")) {
      st.setString(1, persistenceId);
      st.setLong(2, upTo);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? new StoredAt(rs.getLong(1), new Stored(rs.getInt(2), rs.getString(3), rs.getBytes(4))) : null;
      }
    }
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
