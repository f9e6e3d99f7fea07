package com.example.counter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rsm.app.RsmNode;
import dev.rsm.client.Answer;
import dev.rsm.client.MachineClient;
import dev.rsm.client.MachineState;
import dev.rsm.client.RsmClient;
import dev.rsm.persistence.MachineModules;
import dev.rsm.persistence.RsmConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real node (Cluster Sharding, the journal on embedded H2, the HTTP ingress) hosting the module
 * that this jar registers, found as {@code dev.rsm.app.Main} finds it, and called over HTTP with
 * the typed client.
 */
class CounterNodeTest {

  @Test
  void anInputSentTwiceWithOneKeyIsHandledOnce(@TempDir Path dir) {
    Config config = RsmConfig.load(ConfigFactory.parseMap(Map.of(
        "rsm.storage.h2-path", dir.resolve("rsm").toString(),
        "rsm.sharding.data-dir", dir.resolve("sharding").toString(),
        "rsm.http.port", 0,
        "pekko.remote.artery.canonical.port", 0,
        "rsm.node.management", "off")));
    MachineModules modules = MachineModules.load(config, getClass().getClassLoader());
    assertEquals(List.of(Counter.TYPE), List.copyOf(modules.registry().types()), "found through META-INF/services");

    try (RsmNode node = RsmNode.start(config, modules.registry(), modules.options(config))) {
      RsmClient client = RsmClient.builder().nodes(URI.create("http://127.0.0.1:" + node.httpPort())).build();
      MachineClient<Counter.Input, Counter.State> visits = client.machine(Counter.TYPE, "visits");

      Answer first = visits.ask("visit-1", new Counter.Add(5));
      Answer again = visits.ask("visit-1", new Counter.Add(5)); // a client's retry
      Counter.Total second = visits.ask("visit-2", new Counter.Add(2), Counter.Total.class);

      assertEquals(new Counter.Total(true, 5), first.as(Counter.Total.class));
      assertFalse(first.replayed());
      assertTrue(again.replayed(), "answered from the record, not handled again");
      assertEquals(new Counter.Total(true, 5), again.as(Counter.Total.class));
      assertEquals(new Counter.Total(true, 7), second);
      MachineState<Counter.State> state = visits.state();
      assertEquals(new Counter.State(7, 2), state.state());
      assertEquals(2, state.seqNr(), "two steps journaled");
    }
  }
}
