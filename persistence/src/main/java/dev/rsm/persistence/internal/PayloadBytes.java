package dev.rsm.persistence.internal;

import dev.rsm.persistence.internal.StepTaken.Sent;
import dev.rsm.persistence.internal.StepTaken.TimerSet;
import java.util.Arrays;

/**
 * INTERNAL API. The bytes of user values (inputs, sends, replies, timer inputs) as the journal
 * writes them, with what is built on them: a cache that serializes a value once for the rows that
 * hold it, the check that a step's values can be journaled before it is taken, comparison in the
 * journal's encoding, and fingerprints of idempotency keys' inputs.
 */
public final class PayloadBytes {
  private final JournalCodec.Payloads payloads;

  PayloadBytes(JournalCodec.Payloads payloads) {
    this.payloads = payloads;
  }

  // The bytes of recently journaled outputs, by identity. A message between two machines on one
  // node is one object: the sender's row holds it as an output, and the receiver's row, written
  // a moment later, holds it as its input. Looking it up here serializes it once instead of twice.
  // Entries are immutable, so the unsynchronized array is safe: a reader sees null, an older entry
  // or a complete newer one, and anything but the same object is a miss.
  private static final int RECENT = 4096;
  private final Recent[] recent = new Recent[RECENT];

  private record Recent(Object value, byte[] bytes) {}

  /** An output's bytes, kept for the receiver's row (see {@code recent}). */
  byte[] remembered(Object value) {
    if (value == null) return null;
    Recent r = recent[slot(value)];
    if (r != null && r.value() == value) return r.bytes();
    byte[] bytes = payloads.write(value);
    recent[slot(value)] = new Recent(value, bytes);
    return bytes;
  }

  /** The bytes of a value that may be a recent output, serialized again only if it is not. */
  byte[] recalled(Object value) {
    if (value == null) return null;
    Recent r = recent[slot(value)];
    return r != null && r.value() == value ? r.bytes() : payloads.write(value);
  }

  private static int slot(Object value) {
    int h = System.identityHashCode(value);
    return (h ^ (h >>> 16)) & (RECENT - 1);
  }

  /**
   * Checks, before a step is taken, that its user values can be journaled: serializes each (the
   * bytes are kept, so the row's write reuses them instead of serializing again) and, the first
   * time a class is met, reads it back. Throws {@link NotJournalable} naming the value and why.
   */
  public void checkJournalable(StepTaken e) {
    check("input", e.input());
    for (Sent s : e.sends()) check("send to " + s.to(), s.input());
    check("reply", e.reply());
    for (TimerSet t : e.timers()) check("timer " + t.name(), t.input());
    for (StepTaken.EffectAsked f : e.effects()) check("effect " + f.name(), f.request());
  }

  /**
   * Whether {@code a} and {@code b} are the same value as the journal records it. A value read back
   * from the journal need not be {@code equals} to the one written: a record holding an array
   * compares arrays by identity, and a number in an {@code Object}-typed field comes back as the
   * smallest type that holds it (a {@code Long} as an {@code Integer}). Two values are the same
   * when they are equal, or of one class and written as the same bytes; the bytes are only
   * computed when {@code equals} says no.
   */
  public boolean same(Object a, Object b) {
    if (java.util.Objects.equals(a, b)) return true;
    if (a == null || b == null || a.getClass() != b.getClass()) return false;
    try {
      return Arrays.equals(payloads.write(a), payloads.write(b));
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static volatile PayloadBytes standalone;

  /**
   * A codec over a plain CBOR object mapper that only writes, for comparing values without an
   * actor system (the testkit's replay check) or without this codec bound to the journal.
   */
  static PayloadBytes standalone() {
    PayloadBytes c = standalone;
    if (c == null) {
      var mapper = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.cbor.CBORFactory())
          .findAndRegisterModules();
      standalone = c = new PayloadBytes(new JournalCodec.Payloads() {
        @Override
        public byte[] write(Object value) {
          try {
            return mapper.writeValueAsBytes(value);
          } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
          }
        }

        @Override
        public Object read(String className, byte[] bytes) {
          throw new UnsupportedOperationException("a comparing codec reads nothing");
        }
      });
    }
    return c;
  }

  /**
   * A 64-bit fingerprint of a user value's journal encoding (FNV-1a), never 0 (which means
   * unknown). The bytes come from the recent cache when the value was just checked or written.
   */
  public long fingerprint(Object value) {
    if (value == null) return 1;
    long h = 0xcbf29ce484222325L;
    for (byte b : remembered(value)) h = (h ^ (b & 0xff)) * 0x100000001b3L;
    h = h * 31 + value.getClass().getName().hashCode();
    return h == 0 ? 1 : h;
  }

  /** The same for one user value (a state, for its next snapshot). */
  public void check(String what, Object value) {
    if (value == null) return;
    byte[] bytes;
    try {
      bytes = remembered(value);
    } catch (RuntimeException e) {
      throw new NotJournalable(what, value, e);
    }
    if (readBack.contains(value.getClass())) return;
    try {
      payloads.read(value.getClass().getName(), bytes);
    } catch (RuntimeException e) {
      throw new NotJournalable(what, value, e);
    }
    readBack.add(value.getClass());
  }

  // Classes whose values were read back once: whether a class can be read is a property of the
  // class (its creator, its field types), so once is enough.
  private final java.util.Set<Class<?>> readBack = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** A user value that the journal cannot write or read back. */
  public static final class NotJournalable extends IllegalArgumentException {
    NotJournalable(String what, Object value, RuntimeException cause) {
      super("the " + what + " (" + value.getClass().getSimpleName() + ") cannot be journaled: "
          + rootMessage(cause), cause);
    }

    private static String rootMessage(Throwable t) {
      while (t.getCause() != null && t.getCause() != t) t = t.getCause();
      String m = t.getMessage();
      return m == null ? t.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }
  }

}
