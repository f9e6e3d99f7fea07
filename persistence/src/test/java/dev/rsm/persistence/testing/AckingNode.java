package dev.rsm.persistence.testing;

import com.typesafe.config.ConfigFactory;
import dev.rsm.persistence.IngressResult;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.machines.Counter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A node in a JVM of its own, for tests that kill it: on the H2 database at {@code args[0]} (with
 * the configuration of {@code args[1]}, HOCON, if given), {@code Counter} machines {@code c0..c3}
 * each add 1 per step in a loop, and every acknowledged step is printed as {@code acked <id> <n>}
 * (the machine's total after it) once its reply has arrived. Runs until killed.
 */
public final class AckingNode {
  public static final int MACHINES = 4;

  private AckingNode() {}

  public static void main(String[] args) throws Exception {
    var store = ConfigFactory.parseMap(Map.of("rsm.storage.h2-path", args[0]));
    var extra = args.length > 1 ? ConfigFactory.parseString(args[1]) : ConfigFactory.empty();
    TestNode node = new TestNode("acking", store, MachineRegistry.of(Counter.TYPE), extra, dev.rsm.persistence.FaultInjector.NONE);
    List<Thread> loops = new ArrayList<>();
    for (int m = 0; m < MACHINES; m++) {
      String id = "c" + m;
      Thread t = new Thread(() -> {
        for (long i = 1; ; i++) {
          IngressResult r = node.ask(Counter.TYPE.address(id), id + "-" + i, new Counter.Add(1));
          if (r instanceof IngressResult.Replied replied) {
            long total = ((Counter.Total) replied.reply()).total();
            synchronized (System.out) {
              System.out.println("acked " + id + " " + total);
              System.out.flush();
            }
          }
        }
      }, "loop-" + id);
      t.start();
      loops.add(t);
    }
    for (Thread t : loops) t.join();
  }
}
