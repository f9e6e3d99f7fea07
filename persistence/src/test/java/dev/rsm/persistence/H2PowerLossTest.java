package dev.rsm.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rsm.persistence.machines.Counter;
import dev.rsm.persistence.testing.Await;
import dev.rsm.persistence.testing.PowerLossFilePath;
import dev.rsm.persistence.testing.TestNode;
import dev.rsm.persistence.testing.TestStores;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@code rsm.storage.h2.fsync = on}: a step is acknowledged only after H2's file was forced to
 * disk. The database file goes through {@link PowerLossFilePath}, which can write the file as a
 * power loss would leave it (every write since the last force undone); the power is cut while
 * machines take and acknowledge steps, and a node started on that image has every step
 * acknowledged before the cut. With fsync off, H2 never forces its file, and the same cut loses
 * them.
 */
class H2PowerLossTest {
  private static final int MACHINES = 4;
  private static final int ACKS_BEFORE_CUT = 300;

  @Test
  void withFsyncOnStepsAcknowledgedBeforeAPowerLossSurviveIt() throws Exception {
    Outcome o = cutPowerWhileAcknowledging(true);
    assertTrue(o.forces > 0, "H2's file was not forced to disk while steps were acknowledged");
    assertEquals(Map.of(), o.lost, "acknowledged steps lost by the power cut (machine: steps); acknowledged: " + o.acked);
  }

  @Test
  void withFsyncOffAPowerLossLosesAcknowledgedSteps() throws Exception {
    Outcome o = cutPowerWhileAcknowledging(false);
    // H2 forces its file itself only when it closes the database cleanly and while compacting it.
    assertEquals(0, o.forces, "H2 forced its file to disk while steps were acknowledged, without fsync on");
    assertFalse(o.lost.isEmpty(), "the power cut lost nothing without fsync; acknowledged: " + o.acked);
  }

  /** Steps acknowledged before the cut and lost by it, per machine; forces of the file in between. */
  record Outcome(Map<String, Long> acked, Map<String, Long> lost, int forces) {}

  private static Outcome cutPowerWhileAcknowledging(boolean fsync) throws Exception {
    PowerLossFilePath.register();
    Path dir = TestStores.tempDir("rsm-powerloss-");
    Path afterCut = TestStores.tempDir("rsm-powerloss-image-");
    Config store = ConfigFactory.parseMap(Map.of(
        "rsm.storage.jdbc.url", "jdbc:h2:" + PowerLossFilePath.SCHEME + ":" + dir.resolve("rsm") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0",
        "rsm.storage.h2.fsync", fsync ? "on" : "off"));
    Map<String, Long> acked = new ConcurrentHashMap<>();
    AtomicInteger acks = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    Map<String, Long> ackedBeforeCut;
    int forces;
    try (TestNode node = new TestNode("powered", store, MachineRegistry.of(Counter.TYPE))) {
      List<Thread> loops = new ArrayList<>();
      for (int m = 0; m < MACHINES; m++) {
        String id = "c" + m;
        Thread t = new Thread(() -> {
          for (long i = 1; !stop.get(); i++) {
            if (node.ask(Counter.TYPE.address(id), id + "-" + i, new Counter.Add(1)) instanceof IngressResult.Replied r) {
              acked.merge(id, ((Counter.Total) r.reply()).total(), Math::max);
              acks.incrementAndGet();
            }
          }
        }, "loop-" + id);
        t.start();
        loops.add(t);
      }
      Await.until("a first acknowledged step", Duration.ofSeconds(60), acks::get, n -> n >= 1);
      PowerLossFilePath.Disk disk = PowerLossFilePath.disk(dir.resolve("rsm.mv.db"));
      int forcesAtStart = disk.forces();
      Await.until("acknowledged steps", Duration.ofSeconds(60), acks::get, n -> n >= ACKS_BEFORE_CUT);
      // Every step in this copy was acknowledged before the cut below, while more are in flight.
      ackedBeforeCut = new TreeMap<>(acked);
      disk.imageAfterPowerLoss(afterCut.resolve("rsm.mv.db"));
      forces = disk.forces() - forcesAtStart;
      stop.set(true);
      for (Thread t : loops) t.join(Duration.ofSeconds(30).toMillis());
    }
    Map<String, Long> lost = new TreeMap<>();
    try (TestNode after = new TestNode("after-power-loss",
        ConfigFactory.parseMap(Map.of("rsm.storage.h2-path", afterCut.resolve("rsm").toString())), MachineRegistry.of(Counter.TYPE))) {
      for (var e : ackedBeforeCut.entrySet()) {
        long total = ((Counter.State) after.state(Counter.TYPE.address(e.getKey())).state()).total();
        if (total < e.getValue()) lost.put(e.getKey(), e.getValue() - total);
      }
    }
    return new Outcome(ackedBeforeCut, lost, forces);
  }
}
