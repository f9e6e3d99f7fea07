package dev.rsm.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rsm.persistence.machines.Counter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The JUnit 5 extension injects a FailureTransparency configured by the annotations. */
@ExtendWith(FailureTransparencyExtension.class)
@FailureTransparencyConfig(runs = 4)
class FailureTransparencyExtensionTest {

  @Test
  void theClassSettingsApply(FailureTransparency check) {
    assertEquals(4, check.runs());
  }

  @Test
  @FailureTransparencyConfig(runs = 2, seed = 100)
  void theMethodSettingsWinAndTheInjectedCheckRuns(FailureTransparency check) {
    FailureTransparency.Report report = check.check(
        Scenario.builder().input(Counter.TYPE, "a", new Counter.AddAndTell(2, "b")).build(), Counter.TYPE);
    assertEquals(List.of(100L, 101L), report.seeds());
    assertEquals(new Counter.State(2, 1), report.states().get(Counter.TYPE.address("b")));
  }
}
