package dev.rsm.app.admin;

import dev.rsm.actors.Address;
import dev.rsm.persistence.StepObserver;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The inputs this node's machines rejected most recently (see {@link StepObserver#rejected}),
 * newest first, at most {@code capacity}: enough to see what is failing now without a log search.
 * In memory and per node: a restart empties it, and the log keeps every rejection. Thread-safe;
 * recording costs one short lock, on a path that is already exceptional.
 */
public final class RecentRejections {
  /**
   * One rejection: when (epoch ms, this node's clock), which machine, where the input came from,
   * the input, the handler's exception, and the journal step that records it (0: not journaled,
   * an external caller's input answered with an error).
   */
  public record Rejection(long at, Address machine, String origin, Object input, String reason, long seqNr) {}

  private final int capacity;
  private final ArrayDeque<Rejection> ring;

  public RecentRejections(int capacity) {
    this.capacity = capacity;
    this.ring = new ArrayDeque<>(Math.max(1, capacity));
  }

  void add(Rejection r) {
    if (capacity <= 0) return;
    synchronized (ring) {
      if (ring.size() == capacity) ring.removeLast();
      ring.addFirst(r);
    }
  }

  /** The rejections kept, newest first. */
  public List<Rejection> latest() {
    synchronized (ring) {
      return new ArrayList<>(ring);
    }
  }

  /** An observer that records rejections here, then passes every event on to {@code next}. */
  public StepObserver andThen(StepObserver next) {
    return new StepObserver() {
      @Override
      public void stepJournaled(Address machine, Object input, long seqNr) {}

      @Override
      public void rejected(Address machine, String origin, Object input, String reason, long seqNr) {
        add(new Rejection(System.currentTimeMillis(), machine, origin, input, reason, seqNr));
      }
    }.andThen(next);
  }
}
