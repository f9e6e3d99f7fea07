package dev.rsm.persistence;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Creates the journal and snapshot tables when {@code rsm.storage.create-schema} is on. The
 * scripts are idempotent ({@code IF NOT EXISTS} throughout) and shipped in this jar as {@code
 * dev/rsm/schema/h2.sql} and {@code dev/rsm/schema/postgres.sql}.
 *
 * <p>Nodes of a cluster may start at the same moment on an empty database. PostgreSQL's {@code
 * CREATE TABLE IF NOT EXISTS} is not safe against a concurrent creation of the same table (both
 * sessions pass the check, one fails on a catalog unique index), so on PostgreSQL the script runs
 * in one transaction holding an advisory lock: the nodes run it one after the other.
 */
public final class JdbcSchema {
  /** The advisory lock key that serializes schema creation on PostgreSQL (any fixed number). */
  static final long POSTGRES_LOCK_KEY = 0x52534d5f534348L; // "RSM_SCH"

  private JdbcSchema() {}

  /**
   * At a node's start: checks and logs what the configured store guarantees for an acknowledged
   * step ({@link StoreDurability#check}), then runs the schema script for the configured
   * database, unless create-schema is off.
   */
  public static void ensure(Config config) {
    StoreDurability.check(config);
    Config c = config.getConfig("rsm.storage");
    if (!c.getBoolean("create-schema")) return;
    String url = c.getString("jdbc.url");
    String script = url.startsWith("jdbc:postgresql:") ? "postgres" : url.startsWith("jdbc:h2:") ? "h2" : null;
    if (script == null)
      throw new IllegalArgumentException("rsm.storage.create-schema is on but no schema script "
          + "matches " + url + "; create the schema yourself and set create-schema = off");
    try (Connection conn = DriverManager.getConnection(
            url, c.getString("jdbc.user"), c.getString("jdbc.password"));
        Statement st = conn.createStatement()) {
      boolean postgres = script.equals("postgres");
      if (postgres) {
        conn.setAutoCommit(false); // DDL is transactional in PostgreSQL; the lock lasts until commit
        st.execute("SELECT pg_advisory_xact_lock(" + POSTGRES_LOCK_KEY + ")");
      }
      for (String sql : load(script).split(";\\s*\n")) {
        String stmt = sql.replaceAll("(?m)^\\s*--.*$", "").trim();
        if (!stmt.isEmpty()) st.execute(stmt);
      }
      if (postgres) conn.commit();
    } catch (SQLException e) {
      throw new IllegalStateException("could not create the RSM schema at " + url + ": " + e.getMessage(), e);
    }
  }

  static String load(String name) {
    try (InputStream in = JdbcSchema.class.getResourceAsStream("/dev/rsm/schema/" + name + ".sql")) {
      if (in == null) throw new IllegalStateException("schema script " + name + ".sql is missing");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
