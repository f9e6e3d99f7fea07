package dev.rsm.actors;

import java.time.Instant;
import java.util.Random;

/** A {@link Context} over recorded values; the random generator is created on first use. */
final class RecordedContext implements Context {
  private final Address self;
  private final long nowMillis;
  private final long seed;
  private Random random;

  RecordedContext(Address self, long nowMillis, long seed) {
    this.self = self;
    this.nowMillis = nowMillis;
    this.seed = seed;
  }

  @Override
  public Address self() {
    return self;
  }

  @Override
  public Instant now() {
    return Instant.ofEpochMilli(nowMillis);
  }

  @Override
  public Random random() {
    if (random == null) random = new Random(seed);
    return random;
  }
}
