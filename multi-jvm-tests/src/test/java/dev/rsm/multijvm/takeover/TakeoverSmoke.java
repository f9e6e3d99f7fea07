package dev.rsm.multijvm.takeover;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rsm.multijvm.harness.MultiJvmExtension;
import dev.rsm.multijvm.harness.Scenario;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The takeover benchmark in miniature, in the normal suite so that it keeps working: 3 nodes, 70
 * machines each, the harness's fast failure detection, one run with the shipped lease setting.
 * Every machine of the killed node answers on the survivors with what it held before. It is a
 * smoke test, not a measurement.
 */
@ExtendWith(MultiJvmExtension.class)
class TakeoverSmoke {
  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void everyMachineOfAKilledNodeAnswersOnTheSurvivorsWithItsState(Scenario scenario) {
    Takeover.Result r = Takeover.run(scenario,
        new Takeover.Settings("on", null, 3, 70, 8, "fast", "", Duration.ofSeconds(1)));
    System.out.println("[takeover] smoke:\n" + TakeoverBenchmark.table(List.of(r)));
    assertTrue(r.onVictim() > 0 && r.downed() > 0 && r.allServed() >= r.downed(), "figures: " + r);
  }
}
