package dev.rsm.multijvm.harness;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The store of one scenario, as its nodes are configured to use it and as the audit reads it from
 * the test JVM: a fresh database on the shared embedded PostgreSQL server ({@link PostgresDatabase}),
 * or the embedded H2 file that a node creates in its own working directory by default ({@link
 * H2Database}).
 *
 * <p>The journal is read with plain JDBC. The SQL quotes the journal's lower-case names, which H2
 * needs and PostgreSQL accepts, so both stores share it.
 */
public abstract sealed class Database permits Database.PostgresDatabase, Database.H2Database {

  /** The stores a scenario can run on. */
  public enum Kind {
    /** The default: embedded H2, a file in the node's working directory; one node per file. */
    H2,
    /** The production store: PostgreSQL, shared by every node of the scenario. */
    POSTGRES
  }

  public abstract Kind kind();

  /**
   * The {@code -D} settings that point a node with working directory {@code workDir} at this store.
   * Empty for the node that owns an H2 file: it runs on its default configuration.
   */
  abstract Map<String, String> nodeSettings(Path workDir);

  /** The node's {@code -Dconfig.file} (a profile of {@code config/}), or null for the node's default. */
  abstract String configFile();

  /** A connection from the test JVM, for the audit. */
  abstract Connection connect() throws SQLException;

  /** One row of {@code event_journal}: the event's Pekko serializer id, manifest and bytes. */
  public record JournalRow(long seqNr, int serializerId, String manifest, byte[] payload) {}

  /**
   * The journal of {@code persistenceId} in sequence-number order (deleted rows included). On H2 no
   * node may have the file open (H2 locks it): stop the nodes first.
   */
  public List<JournalRow> journal(String persistenceId) {
    try (Connection c = connect();
        PreparedStatement st = c.prepareStatement(
            "SELECT \"sequence_number\", \"event_ser_id\", \"event_ser_manifest\", \"event_payload\" "
                + "FROM \"event_journal\" WHERE \"persistence_id\" = ? ORDER BY \"sequence_number\"")) {
      st.setString(1, persistenceId);
      List<JournalRow> rows = new ArrayList<>();
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) rows.add(new JournalRow(rs.getLong(1), rs.getInt(2), rs.getString(3), rs.getBytes(4)));
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the journal of " + persistenceId + " in " + this, e);
    }
  }

  /** Every persistence id in the journal that starts with {@code prefix}, sorted. */
  public List<String> persistenceIds(String prefix) {
    try (Connection c = connect();
        PreparedStatement st = c.prepareStatement("SELECT DISTINCT \"persistence_id\" FROM \"event_journal\" "
            + "WHERE \"persistence_id\" LIKE ? ORDER BY \"persistence_id\"")) {
      st.setString(1, prefix.replace("%", "\\%").replace("_", "\\_") + "%");
      List<String> ids = new ArrayList<>();
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) ids.add(rs.getString(1));
      }
      return ids;
    } catch (SQLException e) {
      throw new IllegalStateException("could not list the journal's persistence ids in " + this, e);
    }
  }

  /** A fresh PostgreSQL database on the shared embedded server; the nodes create their tables in it. */
  public static final class PostgresDatabase extends Database {
    private final String name;
    private final String url;

    private PostgresDatabase(String name, String url) {
      this.name = name;
      this.url = url;
    }

    /** Creates the empty database {@code name} on the shared embedded server. */
    static PostgresDatabase create(String name) {
      var server = Postgres.server();
      try (Connection c = DriverManager.getConnection(server.jdbcUrl("postgres"));
          Statement st = c.createStatement()) {
        st.execute("DROP DATABASE IF EXISTS " + name);
        st.execute("CREATE DATABASE " + name);
      } catch (SQLException e) {
        throw new IllegalStateException("could not create database " + name, e);
      }
      return new PostgresDatabase(name, server.jdbcUrl(name));
    }

    @Override
    public Kind kind() {
      return Kind.POSTGRES;
    }

    /** The port of the PostgreSQL server the database is on. */
    public int serverPort() {
      return Postgres.server().port();
    }

    /** The database's JDBC URL with the server reached through {@code port} instead (a proxy). */
    public String urlThrough(int port) {
      return url.replace(":" + serverPort() + "/", ":" + port + "/");
    }

    @Override
    Map<String, String> nodeSettings(Path workDir) {
      return Map.of(
          "rsm.storage.jdbc.url", url,
          "rsm.storage.jdbc.user", "postgres",
          "rsm.storage.jdbc.max-connections", "8");
    }

    @Override
    String configFile() {
      return "config/postgres.conf";
    }

    @Override
    Connection connect() throws SQLException {
      return DriverManager.getConnection(url);
    }

    @Override
    public String toString() {
      return "PostgreSQL database " + name;
    }
  }

  /**
   * The H2 file of one node: the node that owns it runs on the default configuration, so its store
   * is {@code ./data/rsm} in its working directory, with the default JDBC URL (whatever H2 options
   * that URL sets or leaves out is what is tested). Another node (the audit's fresh node) is pointed
   * at the same file with {@code rsm.storage.h2-path} only, never with a URL of its own. H2 in file
   * mode admits one process at a time, so nodes on it run one after the other, never together.
   */
  public static final class H2Database extends Database {
    /** The default {@code rsm.storage.h2-path}, relative to a node's working directory. */
    private static final String DEFAULT_PATH = "data/rsm";
    private final Path owner;

    /** The H2 file of the node whose working directory is {@code owner}. */
    H2Database(Path owner) {
      this.owner = owner.toAbsolutePath().normalize();
    }

    /** Where the file is, without H2's {@code .mv.db} suffix (the form {@code h2-path} takes). */
    public Path path() {
      return owner.resolve(DEFAULT_PATH);
    }

    @Override
    public Kind kind() {
      return Kind.H2;
    }

    @Override
    Map<String, String> nodeSettings(Path workDir) {
      if (workDir.toAbsolutePath().normalize().equals(owner)) return Map.of();
      return Map.of("rsm.storage.h2-path", path().toString());
    }

    @Override
    String configFile() {
      return null;
    }

    /** Opens the file as a node would (H2 recovers a file left by a killed process on opening). */
    @Override
    Connection connect() throws SQLException {
      return DriverManager.getConnection("jdbc:h2:file:" + path(), "sa", "");
    }

    @Override
    public String toString() {
      return "H2 file " + path() + ".mv.db";
    }
  }
}
