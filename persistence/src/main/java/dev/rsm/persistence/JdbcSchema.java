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
 */
public final class JdbcSchema {
  private JdbcSchema() {}

  /** Runs the schema script for the configured database, unless create-schema is off. */
  public static void ensure(Config config) {
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
      for (String sql : load(script).split(";\\s*\n")) {
        String stmt = sql.replaceAll("(?m)^\\s*--.*$", "").trim();
        if (!stmt.isEmpty()) st.execute(stmt);
      }
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
