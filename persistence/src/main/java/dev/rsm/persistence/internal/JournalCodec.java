package dev.rsm.persistence.internal;

import dev.rsm.actors.Address;
import dev.rsm.persistence.internal.MachineSnapshot.Armed;
import dev.rsm.persistence.internal.MachineSnapshot.Inbound;
import dev.rsm.persistence.internal.MachineSnapshot.Key;
import dev.rsm.persistence.internal.MachineSnapshot.Outbound;
import dev.rsm.persistence.internal.StepTaken.Sent;
import dev.rsm.persistence.internal.StepTaken.TimerSet;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * INTERNAL API. The binary form of the journal's events and snapshots.
 *
 * <p>The runtime's own structure (origin, sequence numbers, addresses, times, channel tables) is
 * written field by field with variable-length integers; only user values (inputs, states,
 * replies) go through {@link Payloads}, that is Jackson. Every string (machine types and ids,
 * class names, timer names) is written once per record and referred to by index afterwards, so a
 * snapshot with hundreds of channels to machines of one type names that type once. Compared with
 * the Jackson form of the same records this was about a third of the bytes and a fraction of the
 * CPU (see docs/performance.md).
 *
 * <p>Layout: one format byte ({@link #FORMAT}), then the record. A reader refuses other formats
 * with a message instead of guessing. Rows written before this codec existed carry Pekko's
 * jackson-cbor serializer id and are still read by it.
 */
public final class JournalCodec {
  /** The format byte every record starts with. */
  static final int FORMAT = 1;

  /** How user values become bytes and back. */
  public interface Payloads {
    byte[] write(Object value);

    Object read(String className, byte[] bytes);
  }

  private final Payloads payloads;

  // The bytes of recently journaled outputs, by identity. A message between two machines on one
  // node is one object: the sender's row holds it as an output, and the receiver's row, written
  // a moment later, holds it as its input. Looking it up here serializes it once instead of twice.
  // Entries are immutable, so the unsynchronized array is safe: a reader sees null, an older entry
  // or a complete newer one, and anything but the same object is a miss.
  private static final int RECENT = 4096;
  private final Recent[] recent = new Recent[RECENT];

  private record Recent(Object value, byte[] bytes) {}

  public JournalCodec(Payloads payloads) {
    this.payloads = payloads;
  }

  // ------------------------------------------------------------------ events

  public byte[] step(StepTaken e) {
    Out out = Out.borrow();
    try {
      out.writeByte(FORMAT);
      writeStep(out, e);
      return out.toByteArray();
    } finally {
      out.giveBack();
    }
  }

  public StepTaken step(byte[] bytes) {
    In in = new In(bytes);
    in.format();
    StepTaken e = readStep(in);
    in.end();
    return e;
  }

  /** Several steps of one machine journaled as one row, in the order they were taken. */
  public byte[] steps(StepsTaken e) {
    Out out = Out.borrow();
    try {
      out.writeByte(FORMAT);
      out.writeVarInt(e.steps().size());
      for (StepTaken s : e.steps()) writeStep(out, s);
      return out.toByteArray();
    } finally {
      out.giveBack();
    }
  }

  public StepsTaken steps(byte[] bytes) {
    In in = new In(bytes);
    in.format();
    int n = in.readCount();
    List<StepTaken> steps = new ArrayList<>(n);
    for (int i = 0; i < n; i++) steps.add(readStep(in));
    in.end();
    return new StepsTaken(steps);
  }

  private static final int EXTERNAL = 0, EXTERNAL_KEYED = 1, CHANNEL = 2, TIMER = 3;

  private void writeStep(Out out, StepTaken e) {
    Origin o = e.origin();
    if (o instanceof Origin.Channel c) {
      out.writeByte(CHANNEL);
      writeAddress(out, c.from());
      out.writeVarLong(c.seq());
    } else if (o instanceof Origin.External x) {
      if (x.key() == null) {
        out.writeByte(EXTERNAL);
      } else {
        out.writeByte(EXTERNAL_KEYED);
        out.writeString(x.key());
      }
    } else if (o instanceof Origin.Timer t) {
      out.writeByte(TIMER);
      out.writeString(t.name());
      out.writeVarLong(t.generation());
    } else {
      throw new IllegalArgumentException("unknown origin " + o);
    }
    writeBytes(out, e.input(), recalled(e.input()));
    out.writeVarLong(e.time());
    out.writeLong(e.seed());
    out.writeVarInt(e.sends().size());
    for (Sent s : e.sends()) {
      writeAddress(out, s.to());
      out.writeVarLong(s.seq());
      writeBytes(out, s.input(), remembered(s.input())); // for the receiver's row
    }
    writeBytes(out, e.reply(), recalled(e.reply()));
    out.writeVarInt(e.timers().size());
    for (TimerSet t : e.timers()) {
      out.writeString(t.name());
      out.writeVarLong(t.generation());
      out.writeVarLong(t.deadline());
      writeBytes(out, t.input(), recalled(t.input()));
    }
    out.writeString(e.rejected());
  }

  private StepTaken readStep(In in) {
    int tag = in.readByte();
    Origin origin =
        switch (tag) {
          case EXTERNAL -> new Origin.External(null);
          case EXTERNAL_KEYED -> new Origin.External(in.readString());
          case CHANNEL -> new Origin.Channel(readAddress(in), in.readVarLong());
          case TIMER -> new Origin.Timer(in.readString(), in.readVarLong());
          default -> throw new IllegalArgumentException("unknown origin tag " + tag + " in a journal event");
        };
    Object input = readPayload(in);
    long time = in.readVarLong();
    long seed = in.readLong();
    int n = in.readCount();
    List<Sent> sends = n == 0 ? List.of() : new ArrayList<>(n);
    for (int i = 0; i < n; i++) sends.add(new Sent(readAddress(in), in.readVarLong(), readPayload(in)));
    Object reply = readPayload(in);
    int t = in.readCount();
    List<TimerSet> timers = t == 0 ? List.of() : new ArrayList<>(t);
    for (int i = 0; i < t; i++)
      timers.add(new TimerSet(in.readString(), in.readVarLong(), in.readVarLong(), readPayload(in)));
    String rejected = in.readString();
    return new StepTaken(origin, input, time, seed, sends, reply, timers, rejected);
  }

  // ------------------------------------------------------------------ snapshots

  public byte[] snapshot(MachineSnapshot s) {
    Out out = new Out(256 + 24 * (s.inbox().size() + s.outbox().size()));
    out.writeByte(FORMAT);
    writePayload(out, s.state());
    out.writeVarLong(s.seqNr());
    out.writeVarInt(s.inbox().size());
    for (Inbound i : s.inbox()) {
      writeAddress(out, i.from());
      out.writeVarLong(i.hw());
    }
    out.writeVarInt(s.outbox().size());
    for (Outbound o : s.outbox()) {
      writeAddress(out, o.to());
      out.writeVarLong(o.lastSeq());
      out.writeVarLong(o.acked());
      out.writeVarInt(o.unacked().size());
      for (Sent sent : o.unacked()) {
        out.writeVarLong(sent.seq()); // the channel's address is the send's address
        writeBytes(out, sent.input(), recalled(sent.input()));
      }
    }
    out.writeVarInt(s.keys().size());
    for (Key k : s.keys()) {
      out.writeString(k.key());
      writePayload(out, k.reply());
      out.writeVarLong(k.time());
    }
    out.writeVarInt(s.timers().size());
    for (Armed a : s.timers()) {
      out.writeString(a.name());
      out.writeVarLong(a.generation());
      out.writeVarLong(a.deadline());
      writePayload(out, a.input());
    }
    out.writeVarLong(s.timerGeneration());
    // Appended last, so that snapshots written before these were kept still read (as unknown).
    for (Inbound i : s.inbox()) writeBytes(out, i.last(), recalled(i.last()));
    for (Key k : s.keys()) out.writeLong(k.fingerprint());
    return out.toByteArray();
  }

  public MachineSnapshot snapshot(byte[] bytes) {
    In in = new In(bytes);
    in.format();
    Object state = readPayload(in);
    long seqNr = in.readVarLong();
    int n = in.readCount();
    List<Inbound> inbox = new ArrayList<>(n);
    List<Address> from = new ArrayList<>(n);
    long[] hw = new long[n];
    for (int i = 0; i < n; i++) {
      from.add(readAddress(in));
      hw[i] = in.readVarLong();
    }
    n = in.readCount();
    List<Outbound> outbox = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Address to = readAddress(in);
      long lastSeq = in.readVarLong();
      long acked = in.readVarLong();
      int u = in.readCount();
      List<Sent> unacked = new ArrayList<>(u);
      for (int j = 0; j < u; j++) unacked.add(new Sent(to, in.readVarLong(), readPayload(in)));
      outbox.add(new Outbound(to, lastSeq, acked, unacked));
    }
    n = in.readCount();
    List<Key> keys = new ArrayList<>(n);
    for (int i = 0; i < n; i++) keys.add(new Key(in.readString(), readPayload(in), in.readVarLong(), 0));
    n = in.readCount();
    List<Armed> timers = new ArrayList<>(n);
    for (int i = 0; i < n; i++)
      timers.add(new Armed(in.readString(), in.readVarLong(), in.readVarLong(), readPayload(in)));
    long timerGeneration = in.readVarLong();
    boolean lastInputs = in.more();
    for (int i = 0; i < from.size(); i++)
      inbox.add(new Inbound(from.get(i), hw[i], lastInputs ? readPayload(in) : null));
    if (in.more())
      for (int i = 0; i < keys.size(); i++) {
        Key k = keys.get(i);
        keys.set(i, new Key(k.key(), k.reply(), k.time(), in.readLong()));
      }
    in.end();
    return new MachineSnapshot(state, seqNr, inbox, outbox, keys, timers, timerGeneration);
  }

  // ------------------------------------------------------------------ parts

  private static void writeAddress(Out out, Address a) {
    out.writeString(a.type());
    out.writeString(a.id());
  }

  private static Address readAddress(In in) {
    return new Address(in.readString(), in.readString());
  }

  /** A user value: its class name (null for null) and, if not null, its bytes. */
  private void writePayload(Out out, Object value) {
    writeBytes(out, value, value == null ? null : payloads.write(value));
  }

  private static void writeBytes(Out out, Object value, byte[] bytes) {
    if (value == null) {
      out.writeString(null);
      return;
    }
    out.writeString(value.getClass().getName());
    out.writeVarInt(bytes.length);
    out.write(bytes, 0, bytes.length);
  }

  /** An output's bytes, kept for the receiver's row (see {@code recent}). */
  private byte[] remembered(Object value) {
    if (value == null) return null;
    Recent r = recent[slot(value)];
    if (r != null && r.value() == value) return r.bytes();
    byte[] bytes = payloads.write(value);
    recent[slot(value)] = new Recent(value, bytes);
    return bytes;
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

  /** The bytes of a value that may be a recent output, serialized again only if it is not. */
  private byte[] recalled(Object value) {
    if (value == null) return null;
    Recent r = recent[slot(value)];
    return r != null && r.value() == value ? r.bytes() : payloads.write(value);
  }

  private static int slot(Object value) {
    int h = System.identityHashCode(value);
    return (h ^ (h >>> 16)) & (RECENT - 1);
  }

  private Object readPayload(In in) {
    String className = in.readString();
    if (className == null) return null;
    return payloads.read(className, in.readBytes(in.readCount()));
  }

  /**
   * Strings are {@code 0} for null, {@code (length + 1) << 1} followed by UTF-8 for a first
   * occurrence, and {@code (index << 1) | 1} for a repeat of the index-th distinct string.
   *
   * <p>A plain growable array, not a {@code ByteArrayOutputStream} (whose methods synchronize), and
   * a short linear string table: a record has a handful of distinct strings, mostly the same
   * instances (a machine's type name), so identity usually decides before {@code equals}.
   */
  static final class Out {
    private byte[] buf;
    private int count;
    private String[] seen;
    private int seenCount;
    // Beyond a few strings (a snapshot naming many machines), a map keeps the lookups constant.
    private java.util.HashMap<String, Integer> index;
    private static final int LINEAR = 16;

    Out(int size) {
      buf = new byte[Math.max(16, size)];
    }

    // Steps are written into a buffer kept per thread and copied out once at their exact size: a
    // fresh buffer per row grew two or three times before it fitted, about 8 % of the bytes a
    // node allocated under load. Snapshots, rare and large, size their own.
    private static final int SCRATCH_SIZE = 1024, SCRATCH_KEPT = 64 * 1024;
    private static final ThreadLocal<Out> SCRATCH = ThreadLocal.withInitial(() -> new Out(SCRATCH_SIZE));
    private boolean lent;

    /** This thread's scratch buffer, or a fresh one if it is already in use further up the stack. */
    static Out borrow() {
      Out out = SCRATCH.get();
      if (out.lent) return new Out(SCRATCH_SIZE);
      out.lent = true;
      return out;
    }

    /** Ends a use of {@link #borrow()}: the buffer is emptied for the next row on this thread. */
    void giveBack() {
      if (!lent) return;
      lent = false;
      count = 0;
      if (seen != null) Arrays.fill(seen, 0, seenCount, null);
      seenCount = 0;
      index = null;
      if (buf.length > SCRATCH_KEPT) buf = new byte[SCRATCH_SIZE];
    }

    private void ensure(int more) {
      if (count + more > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + more));
    }

    void write(int b) {
      ensure(1);
      buf[count++] = (byte) b;
    }

    void write(byte[] b, int off, int len) {
      ensure(len);
      System.arraycopy(b, off, buf, count, len);
      count += len;
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buf, count);
    }

    void writeByte(int b) {
      write(b);
    }

    void writeVarLong(long v) {
      ensure(10);
      // zig-zag, so that the rare negative value (a reset clock) stays short too
      long z = (v << 1) ^ (v >> 63);
      while ((z & ~0x7FL) != 0) {
        buf[count++] = (byte) ((z & 0x7F) | 0x80);
        z >>>= 7;
      }
      buf[count++] = (byte) z;
    }

    void writeVarInt(int v) {
      writeVarLong(v);
    }

    void writeLong(long v) {
      ensure(8);
      for (int i = 56; i >= 0; i -= 8) buf[count++] = (byte) (v >>> i);
    }

    void writeString(String s) {
      if (s == null) {
        writeVarLong(0);
        return;
      }
      int index = indexOf(s);
      if (index >= 0) {
        writeVarLong(((long) index << 1) | 1);
        return;
      }
      remember(s);
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      writeVarLong((long) (utf8.length + 1) << 1);
      write(utf8, 0, utf8.length);
    }

    private int indexOf(String s) {
      if (index != null) return index.getOrDefault(s, -1);
      for (int i = 0; i < seenCount; i++) if (seen[i] == s) return i;
      for (int i = 0; i < seenCount; i++) if (seen[i].equals(s)) return i;
      return -1;
    }

    private void remember(String s) {
      if (index != null) {
        index.put(s, index.size());
        return;
      }
      if (seenCount == LINEAR) {
        index = new java.util.HashMap<>(64);
        for (int i = 0; i < seenCount; i++) index.put(seen[i], i);
        index.put(s, seenCount);
        return;
      }
      if (seen == null) seen = new String[8];
      else if (seenCount == seen.length) seen = Arrays.copyOf(seen, seenCount * 2);
      seen[seenCount++] = s;
    }
  }

  static final class In {
    private final byte[] buf;
    private int pos;
    private List<String> seen;

    In(byte[] buf) {
      this.buf = buf;
    }

    void format() {
      int f = readByte();
      if (f != FORMAT)
        throw new IllegalArgumentException("journal record in format " + f + ", this version of RSM reads format "
            + FORMAT + " (written by a newer version?)");
    }

    boolean more() {
      return pos < buf.length;
    }

    void end() {
      if (pos != buf.length)
        throw new IllegalArgumentException((buf.length - pos) + " unexpected bytes after a journal record");
    }

    int readByte() {
      if (pos >= buf.length) throw new IllegalArgumentException("truncated journal record");
      return buf[pos++] & 0xFF;
    }

    long readVarLong() {
      long z = 0;
      for (int shift = 0; ; shift += 7) {
        if (shift > 63) throw new IllegalArgumentException("malformed number in a journal record");
        int b = readByte();
        z |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) break;
      }
      return (z >>> 1) ^ -(z & 1);
    }

    int readCount() {
      long n = readVarLong();
      if (n < 0 || n > buf.length - pos)
        throw new IllegalArgumentException("malformed count " + n + " in a journal record");
      return (int) n;
    }

    long readLong() {
      long v = 0;
      for (int i = 0; i < 8; i++) v = (v << 8) | readByte();
      return v;
    }

    byte[] readBytes(int n) {
      byte[] b = Arrays.copyOfRange(buf, pos, pos + n);
      pos += n;
      return b;
    }

    String readString() {
      long v = readVarLong();
      if (v == 0) return null;
      if (seen == null) seen = new ArrayList<>(8);
      if ((v & 1) == 1) {
        long index = v >>> 1;
        if (index >= seen.size())
          throw new IllegalArgumentException("malformed string reference in a journal record");
        return seen.get((int) index);
      }
      int len = (int) ((v >>> 1) - 1);
      if (len < 0 || len > buf.length - pos)
        throw new IllegalArgumentException("malformed string length in a journal record");
      String s = new String(buf, pos, len, StandardCharsets.UTF_8);
      pos += len;
      seen.add(s);
      return s;
    }
  }
}
