package dev.rsm.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a workload left in the journal: rows and their average serialized size. */
final class Journal {
  private Journal() {}

  /** The number of journal rows whose persistence id starts with the prefix, or -1 if unknown. */
  static long rows(Store store, String persistenceIdPrefix) {
    try {
      return (long) select(store, "count(*)", persistenceIdPrefix)[0];
    } catch (SQLException e) {
      return -1;
    }
  }

  static Map<String, Object> rowStats(Store store, String persistenceIdPrefix) {
    Map<String, Object> f = new LinkedHashMap<>();
    try {
      double[] r = select(store, "count(*), avg(octet_length(\"event_payload\"))", persistenceIdPrefix);
      f.put("journal_rows", (long) r[0]);
      f.put("bytes_per_row", Math.round(r[1]));
    } catch (SQLException e) {
      f.put("journal_stats_error", e.getMessage());
    }
    return f;
  }

  /** The numbers {@code columns} give over the journal rows whose persistence id has the prefix. */
  private static double[] select(Store store, String columns, String persistenceIdPrefix) throws SQLException {
    try (Connection c = store.connect();
        PreparedStatement st = c.prepareStatement(
            "SELECT " + columns + " FROM \"event_journal\" WHERE \"persistence_id\" LIKE ?")) {
      st.setString(1, persistenceIdPrefix.replace("_", "\\_") + "%");
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        double[] r = new double[rs.getMetaData().getColumnCount()];
        for (int i = 0; i < r.length; i++) r[i] = rs.getDouble(i + 1);
        return r;
      }
    }
  }
}
