package dev.rsm.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a workload left in the journal: rows and their average serialized size. */
final class Journal {
  private Journal() {}

  /** The number of journal rows whose persistence id starts with the prefix. */
  static long rows(Store store, String persistenceIdPrefix) {
    try (Connection c = store.connect();
        PreparedStatement st = c.prepareStatement("SELECT count(*) FROM \"event_journal\" WHERE \"persistence_id\" LIKE ?")) {
      st.setString(1, persistenceIdPrefix.replace("_", "\\_") + "%");
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (Exception e) {
      return -1;
    }
  }

  static Map<String, Object> rowStats(Store store, String persistenceIdPrefix) {
    Map<String, Object> f = new LinkedHashMap<>();
    try (Connection c = store.connect();
        PreparedStatement st = c.prepareStatement("SELECT count(*), avg(octet_length(\"event_payload\")) "
            + "FROM \"event_journal\" WHERE \"persistence_id\" LIKE ?")) {
      st.setString(1, persistenceIdPrefix.replace("_", "\\_") + "%");
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        f.put("journal_rows", rs.getLong(1));
        f.put("bytes_per_row", Math.round(rs.getDouble(2)));
      }
    } catch (Exception e) {
      f.put("journal_stats_error", e.getMessage());
    }
    return f;
  }
}
