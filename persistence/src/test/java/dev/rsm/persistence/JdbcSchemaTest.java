package dev.rsm.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rsm.persistence.testing.TestStores;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Schema creation at start-up. */
class JdbcSchemaTest {

  /**
   * Three nodes starting at once on an empty PostgreSQL database all create the schema; without
   * serialization one of them usually failed on a catalog unique index and the node did not start.
   */
  @Test
  void nodesStartingTogetherOnAnEmptyPostgresDatabaseAllSucceed() throws Exception {
    int nodes = 3;
    ExecutorService pool = Executors.newFixedThreadPool(nodes);
    try {
      for (int round = 0; round < 10; round++) {
        Config config = TestStores.fresh(TestStores.POSTGRES).withFallback(ConfigFactory.defaultReference()).resolve();
        CyclicBarrier together = new CyclicBarrier(nodes);
        List<Future<?>> starts = new ArrayList<>();
        for (int i = 0; i < nodes; i++)
          starts.add(pool.submit(() -> {
            together.await();
            JdbcSchema.ensure(config);
            return null;
          }));
        List<String> failures = new ArrayList<>();
        for (Future<?> f : starts) {
          try {
            f.get();
          } catch (ExecutionException e) {
            failures.add(e.getCause().getMessage());
          }
        }
        assertEquals(List.of(), failures, "round " + round);
        try (Connection c = DriverManager.getConnection(config.getString("rsm.storage.jdbc.url"), "postgres", "");
            Statement st = c.createStatement();
            ResultSet rs = st.executeQuery("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' "
                + "AND table_name IN ('event_journal', 'event_tag', 'snapshot')")) {
          rs.next();
          assertEquals(3, rs.getInt(1), "the three tables exist");
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
