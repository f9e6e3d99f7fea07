package dev.rsm.testkit.internal;

import dev.rsm.testkit.JournalRow;
import dev.rsm.testkit.JournalSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * INTERNAL API. Reads pekko-persistence-jdbc's {@code event_journal} table directly. The quoted
 * lower-case names match both the H2 and the PostgreSQL schema RSM creates.
 */
public final class JdbcJournal implements JournalSource {
  private final String url;
  private final String user;
  private final String password;

  public JdbcJournal(String url, String user, String password) {
    this.url = url;
    this.user = user;
    this.password = password;
  }

  @Override
  public List<String> persistenceIds() {
    List<String> ids = new ArrayList<>();
    query("SELECT DISTINCT \"persistence_id\" FROM \"event_journal\""
            + " WHERE \"persistence_id\" LIKE 'rsm|%' AND \"deleted\" = FALSE ORDER BY 1",
        null, rs -> ids.add(rs.getString(1)));
    return ids;
  }

  @Override
  public List<JournalRow> rows(String persistenceId) {
    List<JournalRow> rows = new ArrayList<>();
    query("SELECT \"sequence_number\", \"event_ser_id\", \"event_ser_manifest\", \"event_payload\""
            + " FROM \"event_journal\" WHERE \"persistence_id\" = ? AND \"deleted\" = FALSE"
            + " ORDER BY \"sequence_number\"",
        persistenceId,
        rs -> rows.add(new JournalRow(persistenceId, rs.getLong(1), rs.getInt(2), rs.getString(3), rs.getBytes(4))));
    return rows;
  }

  private interface RowHandler {
    void accept(ResultSet rs) throws SQLException;
  }

  private void query(String sql, String param, RowHandler handler) {
    try (Connection c = DriverManager.getConnection(url, user, password);
        PreparedStatement st = c.prepareStatement(sql)) {
      if (param != null) st.setString(1, param);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) handler.accept(rs);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the journal at " + url + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "journal at " + url;
  }
}
