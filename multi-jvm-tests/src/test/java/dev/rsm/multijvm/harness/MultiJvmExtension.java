package dev.rsm.multijvm.harness;

import java.util.Optional;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Gives a test method its {@link Scenario}; after the test kills every node process it started
 * (none outlives its test), and when the test fails prints the tail of every node's log.
 */
public final class MultiJvmExtension implements ParameterResolver, AfterEachCallback, TestWatcher {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(MultiJvmExtension.class);
  private static final int TAIL_LINES = 60;

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
    return p.getParameter().getType() == Scenario.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext c) {
    return c.getStore(NS).getOrComputeIfAbsent("scenario",
        k -> new Scenario(c.getRequiredTestClass().getSimpleName(), testName(c)),
        Scenario.class);
  }

  @Override
  public void afterEach(ExtensionContext c) {
    scenario(c).ifPresent(Scenario::close);
  }

  @Override
  public void testFailed(ExtensionContext c, Throwable cause) {
    scenario(c).ifPresent(s -> System.out.println("\n[multi-jvm] " + s + " FAILED: " + cause
        + "\n[multi-jvm] node logs (full logs in " + s.logDir() + "):" + s.logTails(TAIL_LINES)));
  }

  /** The method's name, and for one run of a parameterized test its parameters ({@code name-1_H2}). */
  private static String testName(ExtensionContext c) {
    String method = c.getRequiredTestMethod().getName();
    String shown = c.getDisplayName();
    if (shown.startsWith(method + "(")) return method;
    return method + "-" + shown.replaceAll("[^A-Za-z0-9]+", "_").replaceAll("^_+|_+$", "");
  }

  private static Optional<Scenario> scenario(ExtensionContext c) {
    return Optional.ofNullable(c.getStore(NS).get("scenario", Scenario.class));
  }
}
