package dev.rsm.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rsm.persistence.testing.TestStores;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** What a node says at start-up about the durability of its store, and the H2 URL it uses. */
class StoreDurabilityTest {

  @Test
  void theDefaultH2UrlWritesEachCommitBeforeItReturns() {
    String url = RsmConfig.load(TestStores.fresh(TestStores.H2)).getString("rsm.storage.jdbc.url");
    assertTrue(url.endsWith(";WRITE_DELAY=0"), url);
    List<ILoggingEvent> log = startUpLog(TestStores.fresh(TestStores.H2));
    assertEquals(List.of(), warnings(log));
    assertTrue(log.get(0).getFormattedMessage().contains("acknowledged steps survive a kill of the node, not an OS "
        + "crash or a power loss"), log.get(0).getFormattedMessage());
  }

  @Test
  void anH2UrlWithoutWriteDelayGetsWriteDelayZero() {
    Config userUrl = ConfigFactory.parseMap(Map.of("rsm.storage.jdbc.url", "jdbc:h2:file:/tmp/x/rsm;DB_CLOSE_ON_EXIT=FALSE"));
    assertEquals("jdbc:h2:file:/tmp/x/rsm;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0",
        RsmConfig.load(userUrl).getString("rsm.storage.jdbc.url"));
    // ... and so does the database the journal connects to, which is derived from it.
    assertEquals("jdbc:h2:file:/tmp/x/rsm;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0",
        RsmConfig.load(userUrl).getString("pekko-persistence-jdbc.shared-databases.slick.db.url"));
    // Not for databases that are not files of this process, nor when opted out.
    for (String other : List.of("jdbc:h2:mem:x", "jdbc:h2:tcp://localhost/~/x", "jdbc:postgresql://localhost/x"))
      assertEquals(other, RsmConfig.load(ConfigFactory.parseMap(Map.of("rsm.storage.jdbc.url", other)))
          .getString("rsm.storage.jdbc.url"));
    Config optOut = ConfigFactory.parseMap(Map.of("rsm.storage.h2.write-delay-zero", "off")).withFallback(userUrl);
    assertEquals("jdbc:h2:file:/tmp/x/rsm;DB_CLOSE_ON_EXIT=FALSE", RsmConfig.load(optOut).getString("rsm.storage.jdbc.url"));
  }

  @Test
  void anExplicitWriteDelayIsKeptAndWarnedAbout() {
    Config url = ConfigFactory.parseString(
        "rsm.storage.jdbc.url = \"jdbc:h2:file:\"${rsm.storage.h2-path}\";write_delay=500\"")
        .withFallback(TestStores.fresh(TestStores.H2));
    assertTrue(RsmConfig.load(url).getString("rsm.storage.jdbc.url").endsWith(";write_delay=500"));
    List<String> warnings = warnings(startUpLog(url));
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("up to 500 ms after they return")
        && warnings.get(0).contains("loses steps it has already acknowledged")
        && warnings.get(0).contains("rsm.storage.h2.write-delay-zero = off"), warnings.get(0));
    // With fsync on, every journal write is forced to disk whatever the write delay: no warning.
    Config fsync = ConfigFactory.parseMap(Map.of("rsm.storage.h2.fsync", "on")).withFallback(url);
    assertEquals(List.of(), warnings(startUpLog(fsync)));
  }

  @Test
  void postgresWithSynchronousCommitOffIsWarnedAbout() throws Exception {
    withPostgres(Map.of("synchronous_commit", "off", "fsync", "on", "full_page_writes", "on"), store -> {
      List<String> warnings = warnings(startUpLog(store));
      assertEquals(1, warnings.size(), warnings.toString());
      assertTrue(warnings.get(0).contains("synchronous_commit = off")
          && warnings.get(0).contains("loses the steps committed in the last moments"), warnings.get(0));
    });
  }

  @Test
  void postgresWithFsyncOffIsWarnedAbout() throws Exception {
    withPostgres(Map.of("synchronous_commit", "on", "fsync", "off", "full_page_writes", "on"), store -> {
      List<String> warnings = warnings(startUpLog(store));
      assertEquals(1, warnings.size(), warnings.toString());
      assertTrue(warnings.get(0).contains("fsync = off") && warnings.get(0).contains("corrupt"), warnings.get(0));
    });
  }

  @Test
  void durablePostgresIsNotWarnedAbout() throws Exception {
    withPostgres(Map.of("synchronous_commit", "on", "fsync", "on", "full_page_writes", "on"), store -> {
      List<ILoggingEvent> log = startUpLog(store);
      assertEquals(List.of(), warnings(log));
      assertTrue(log.stream().anyMatch(e -> e.getLevel() == Level.INFO
          && e.getFormattedMessage().contains("synchronous_commit = on")), log.toString());
    });
  }

  /** A PostgreSQL server of its own with these settings, for the duration of {@code test}. */
  private static void withPostgres(Map<String, String> settings, Consumer<Config> test) throws Exception {
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
    settings.forEach(builder::setServerConfig);
    try (EmbeddedPostgres pg = builder.start()) {
      test.accept(TestStores.postgresConfig(pg.getJdbcUrl("postgres", "postgres")));
    }
  }

  /** What {@link JdbcSchema#ensure}, run at a node's start, logs about the store. */
  private static List<ILoggingEvent> startUpLog(Config store) {
    Logger logger = (Logger) LoggerFactory.getLogger(StoreDurability.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try {
      JdbcSchema.ensure(RsmConfig.load(store));
    } finally {
      logger.detachAppender(appender);
    }
    return List.copyOf(appender.list);
  }

  private static List<String> warnings(List<ILoggingEvent> log) {
    return log.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
  }
}
