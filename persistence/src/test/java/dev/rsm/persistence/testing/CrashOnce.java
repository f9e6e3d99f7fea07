package dev.rsm.persistence.testing;

import dev.rsm.actors.Address;
import dev.rsm.persistence.FaultInjector;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Crashes one machine once, at one point, after {@link #arm()}: the next time that machine reaches
 * that boundary. Lets a test aim a crash at a chosen step (e.g. a timer firing).
 */
public final class CrashOnce implements FaultInjector {
  private final Point point;
  private final Address machine;
  private final AtomicBoolean armed = new AtomicBoolean();
  private final AtomicInteger crashes = new AtomicInteger();

  public CrashOnce(Point point, Address machine) {
    this.point = point;
    this.machine = machine;
  }

  /** The next time {@code machine} reaches {@code point}, it crashes. */
  public void arm() {
    armed.set(true);
  }

  @Override
  public boolean crash(Point p, Address m) {
    if (p != point || !m.equals(machine) || !armed.compareAndSet(true, false)) return false;
    crashes.incrementAndGet();
    return true;
  }

  public int crashes() {
    return crashes.get();
  }
}
