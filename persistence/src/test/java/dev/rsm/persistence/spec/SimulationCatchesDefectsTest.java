package dev.rsm.persistence.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The simulation is not vacuous: against a runtime that forgets idempotency keys ({@link
 * BrokenDedupSimulation}) the property fails, names the model's property that broke
 * ({@code exactly_once}) and prints the chain of actions shrunk to a minimal one.
 */
class SimulationCatchesDefectsTest {

  @Test
  void aRuntimeThatHandlesARetriedKeyAgainFailsTheSimulationWithAShrunkChain() {
    List<Throwable> failures = new ArrayList<>();
    LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
        .selectors(DiscoverySelectors.selectClass(BrokenDedupSimulation.class))
        // a fresh search each time, not the failing sample remembered from the last run
        .configurationParameter("jqwik.database", "target/jqwik-database-broken-" + System.nanoTime())
        .configurationParameter("jqwik.shrinking.bounded.seconds", "120")
        .build();
    Launcher launcher = LauncherFactory.create();
    launcher.execute(request, new TestExecutionListener() {
      @Override
      public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        if (id.isTest() && result.getStatus() == TestExecutionResult.Status.FAILED)
          failures.add(result.getThrowable().orElseThrow());
      }
    });
    assertEquals(1, failures.size(), "the broken runtime's property fails: " + failures);
    String report = failures.get(0).getMessage();
    System.out.println("the simulation's report on a runtime that forgets keys:\n" + report);
    assertTrue(report.contains("exactly_once"), report);
    long actions = report.lines().filter(l -> l.matches("\\s+\\d+\\. .*") && !l.endsWith(". settle")).count();
    // The minimal chain: a key, another key (the first is forgotten), the first key again.
    assertTrue(actions >= 2 && actions <= 4, "shrunk to 2 to 4 actions: " + report);
  }
}
