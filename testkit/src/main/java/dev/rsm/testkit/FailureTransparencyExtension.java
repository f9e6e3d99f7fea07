package dev.rsm.testkit;

import java.lang.reflect.AnnotatedElement;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * JUnit 5 extension that hands a test a configured {@link FailureTransparency}:
 *
 * <pre>{@code
 * @ExtendWith(FailureTransparencyExtension.class)
 * class AccountTest {
 *   @Test
 *   @FailureTransparencyConfig(runs = 10)
 *   void transfersAreFailureTransparent(FailureTransparency check) {
 *     check.check(MachineRegistry.of(Account.TYPE), scenario);
 *   }
 * }
 * }</pre>
 *
 * Or registered with settings shared by the class:
 *
 * <pre>{@code
 * @RegisterExtension
 * static FailureTransparencyExtension crashes =
 *     FailureTransparencyExtension.with(FailureTransparency.create().withRuns(3));
 * }</pre>
 *
 * A failing check throws {@link FailureTransparencyError}, whose message names the run's seed;
 * {@code -Drsm.testkit.seed=<seed>} replays that run alone.
 */
public final class FailureTransparencyExtension implements ParameterResolver {
  private final FailureTransparency settings;

  /** With {@link FailureTransparency#create()}'s defaults (for {@code @ExtendWith}). */
  public FailureTransparencyExtension() {
    this(FailureTransparency.create());
  }

  private FailureTransparencyExtension(FailureTransparency settings) {
    this.settings = settings;
  }

  /** With the given settings (for {@code @RegisterExtension}). */
  public static FailureTransparencyExtension with(FailureTransparency settings) {
    return new FailureTransparencyExtension(settings);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == FailureTransparency.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    FailureTransparency f = settings;
    Optional<FailureTransparencyConfig> config = find(context.getElement())
        .or(() -> context.getTestClass().flatMap(FailureTransparencyExtension::find));
    if (config.isEmpty()) return f;
    FailureTransparencyConfig c = config.get();
    if (c.runs() > 0) f = f.withRuns(c.runs());
    if (c.seed() != FailureTransparencyConfig.NO_SEED) f = f.withSeed(c.seed());
    if (c.crashProbability() >= 0) f = f.withCrashProbability(c.crashProbability(), c.crashProbability() / 2);
    if (c.maxCrashesPerMachine() > 0) f = f.withMaxCrashesPerMachine(c.maxCrashesPerMachine());
    return f;
  }

  private static Optional<FailureTransparencyConfig> find(Optional<? extends AnnotatedElement> element) {
    return element.flatMap(e -> AnnotationSupport.findAnnotation(e, FailureTransparencyConfig.class));
  }

  private static Optional<FailureTransparencyConfig> find(Class<?> type) {
    return AnnotationSupport.findAnnotation(type, FailureTransparencyConfig.class);
  }
}
