package dev.rsm.persistence.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import dev.rsm.persistence.RsmConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The stores tests run on: a fresh embedded H2 file database, or a fresh database on one embedded
 * PostgreSQL server shared by the test JVM (started on first use, stopped at JVM exit).
 */
public final class TestStores {
  private TestStores() {}

  public static final String H2 = "h2";
  public static final String POSTGRES = "postgres";

  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static EmbeddedPostgres postgres;
  private static final Set<Path> TEMP_DIRS = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> TEMP_DIRS.forEach(TestStores::deleteTree)));
  }

  /**
   * A new temporary directory, deleted with everything in it when the JVM exits: a test JVM may
   * still hold files open in it (H2, a cluster's durable data) until then, and Linux lets them go.
   * Not JUnit's {@code @TempDir}, which deletes at the end of the test or class and fails it when
   * it cannot: stores are made by factories ({@link #fresh}) that outlive one test, and a server
   * still shutting down writes and removes files while the directory is being deleted. Tests whose
   * files are closed by their end (certificates, a token file, a process that exited) take a
   * {@code @TempDir}.
   */
  public static Path tempDir(String prefix) {
    try {
      Path dir = Files.createTempDirectory(prefix);
      TEMP_DIRS.add(dir);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Deletes {@code dir} and everything in it, as far as it can. Files that vanish meanwhile (a
   * server still shutting down removes its own) are skipped, not an error that stops the rest.
   */
  static void deleteTree(Path dir) {
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          file.toFile().delete();
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException e) {
          d.toFile().delete();
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException ignored) {
      // already gone
    }
  }

  /** Storage settings for a new, empty database of kind {@code store}. */
  public static Config fresh(String store) {
    return switch (store) {
      case H2 -> h2();
      case POSTGRES -> postgres();
      default -> throw new IllegalArgumentException("unknown store " + store);
    };
  }

  private static Config h2() {
    Path dir = tempDir("rsm-h2-");
    return ConfigFactory.parseMap(Map.of("rsm.storage.h2-path", dir.resolve("rsm").toString()));
  }

  public static synchronized EmbeddedPostgres postgresServer() {
    if (postgres == null) {
      try {
        postgres = EmbeddedPostgres.builder().start();
      } catch (IOException e) {
        throw new IllegalStateException("could not start embedded PostgreSQL", e);
      }
      EmbeddedPostgres pg = postgres;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          pg.close();
        } catch (IOException ignored) {
          // the JVM is exiting
        }
      }));
    }
    return postgres;
  }

  private static Config postgres() {
    EmbeddedPostgres pg = postgresServer();
    String db = "rsm_test_" + COUNTER.incrementAndGet();
    try (Connection c = pg.getPostgresDatabase().getConnection();
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + db);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return postgresConfig(pg.getJdbcUrl("postgres", db));
  }

  /** Reads one row of a query's result. */
  public interface Row {
    void read(ResultSet rs) throws SQLException;
  }

  /**
   * Runs a query on the database that {@code store} configures and reads every row. H2 wants the
   * journal's lower-case names quoted and PostgreSQL does not, so each gets its own SQL.
   */
  public static void select(Config store, String h2Sql, String postgresSql, Row row) {
    Config c = RsmConfig.load(store).getConfig("rsm.storage.jdbc");
    boolean h2 = c.getString("url").startsWith("jdbc:h2");
    try (Connection conn = DriverManager.getConnection(c.getString("url"), c.getString("user"), c.getString("password"));
        ResultSet rs = conn.createStatement().executeQuery(h2 ? h2Sql : postgresSql)) {
      while (rs.next()) row.read(rs);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs a statement (H2 and PostgreSQL forms, as for {@link #select}); returns the rows changed. */
  public static int update(Config store, String h2Sql, String postgresSql) {
    Config c = RsmConfig.load(store).getConfig("rsm.storage.jdbc");
    boolean h2 = c.getString("url").startsWith("jdbc:h2");
    try (Connection conn = DriverManager.getConnection(c.getString("url"), c.getString("user"), c.getString("password"));
        Statement st = conn.createStatement()) {
      return st.executeUpdate(h2 ? h2Sql : postgresSql);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  public static Config postgresConfig(String url) {
    return ConfigFactory.parseMap(Map.of(
        "rsm.storage.jdbc.url", url,
        "rsm.storage.jdbc.user", "postgres",
        "rsm.storage.jdbc.password", "",
        "rsm.storage.jdbc.driver", "org.postgresql.Driver",
        "rsm.storage.jdbc.profile", "slick.jdbc.PostgresProfile$"));
  }
}
