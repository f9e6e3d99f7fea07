package dev.rsm.persistence.internal;

import dev.rsm.actors.Address;
import dev.rsm.persistence.internal.MachineSnapshot.Armed;
import dev.rsm.persistence.internal.MachineSnapshot.Inbound;
import dev.rsm.persistence.internal.MachineSnapshot.Key;
import dev.rsm.persistence.internal.MachineSnapshot.Outbound;
import dev.rsm.persistence.internal.MachineSnapshot.Pending;
import dev.rsm.persistence.internal.StepTaken.Sent;
import dev.rsm.persistence.internal.StepTaken.TimerSet;
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
  /**
   * The format of a step record whose steps may request effects: each step ends with its effects.
   * Only records with effects are written in it, so that a journal of a machine that requests none
   * stays readable by versions that predate effects.
   */
  static final int FORMAT_EFFECTS = 2;

  /** How user values become bytes and back. */
  public interface Payloads {
    byte[] write(Object value);

    Object read(String className, byte[] bytes);
  }

  private final Payloads payloads;
  private final PayloadBytes bytes;


  public JournalCodec(Payloads payloads) {
    this.payloads = payloads;
    this.bytes = new PayloadBytes(payloads);
  }

  /** The user values' bytes this codec writes, with the checks and comparisons built on them. */
  public PayloadBytes bytes() {
    return bytes;
  }

  // ------------------------------------------------------------------ events

  public byte[] step(StepTaken e) {
    JournalOut out = JournalOut.borrow();
    try {
      boolean effects = !e.effects().isEmpty();
      out.writeByte(effects ? FORMAT_EFFECTS : FORMAT);
      writeStep(out, e, effects);
      return out.toByteArray();
    } finally {
      out.giveBack();
    }
  }

  public StepTaken step(byte[] bytes) {
    JournalIn in = new JournalIn(bytes);
    boolean effects = in.format() == FORMAT_EFFECTS;
    StepTaken e = readStep(in, effects);
    in.end();
    return e;
  }

  /** Several steps of one machine journaled as one row, in the order they were taken. */
  public byte[] steps(StepsTaken e) {
    JournalOut out = JournalOut.borrow();
    try {
      boolean effects = false;
      for (StepTaken s : e.steps()) effects |= !s.effects().isEmpty();
      out.writeByte(effects ? FORMAT_EFFECTS : FORMAT);
      out.writeVarInt(e.steps().size());
      for (StepTaken s : e.steps()) writeStep(out, s, effects);
      return out.toByteArray();
    } finally {
      out.giveBack();
    }
  }

  public StepsTaken steps(byte[] bytes) {
    JournalIn in = new JournalIn(bytes);
    boolean effects = in.format() == FORMAT_EFFECTS;
    int n = in.readCount();
    List<StepTaken> steps = new ArrayList<>(n);
    for (int i = 0; i < n; i++) steps.add(readStep(in, effects));
    in.end();
    return new StepsTaken(steps);
  }

  private static final int EXTERNAL = 0, EXTERNAL_KEYED = 1, CHANNEL = 2, TIMER = 3, EFFECT = 4;

  private void writeStep(JournalOut out, StepTaken e, boolean effects) {
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
    } else if (o instanceof Origin.Effect f) {
      out.writeByte(EFFECT);
      out.writeString(f.id());
    } else {
      throw new IllegalArgumentException("unknown origin " + o);
    }
    writeBytes(out, e.input(), bytes.recalled(e.input()));
    out.writeVarLong(e.time());
    out.writeLong(e.seed());
    out.writeVarInt(e.sends().size());
    for (Sent s : e.sends()) {
      writeAddress(out, s.to());
      out.writeVarLong(s.seq());
      writeBytes(out, s.input(), bytes.remembered(s.input())); // for the receiver's row
    }
    writeBytes(out, e.reply(), bytes.recalled(e.reply()));
    out.writeVarInt(e.timers().size());
    for (TimerSet t : e.timers()) {
      out.writeString(t.name());
      out.writeVarLong(t.generation());
      out.writeVarLong(t.deadline());
      writeBytes(out, t.input(), bytes.recalled(t.input()));
    }
    out.writeString(e.rejected());
    if (!effects) return;
    out.writeVarInt(e.effects().size());
    for (StepTaken.EffectAsked f : e.effects()) {
      out.writeString(f.name());
      writeBytes(out, f.request(), bytes.recalled(f.request()));
    }
  }

  private StepTaken readStep(JournalIn in, boolean withEffects) {
    int tag = in.readByte();
    Origin origin =
        switch (tag) {
          case EXTERNAL -> new Origin.External(null);
          case EXTERNAL_KEYED -> new Origin.External(in.readString());
          case CHANNEL -> new Origin.Channel(readAddress(in), in.readVarLong());
          case TIMER -> new Origin.Timer(in.readString(), in.readVarLong());
          case EFFECT -> new Origin.Effect(in.readString());
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
    int f = withEffects ? in.readCount() : 0;
    List<StepTaken.EffectAsked> effects = f == 0 ? List.of() : new ArrayList<>(f);
    for (int i = 0; i < f; i++) effects.add(new StepTaken.EffectAsked(in.readString(), readPayload(in)));
    return new StepTaken(origin, input, time, seed, sends, reply, timers, rejected, effects);
  }

  // ------------------------------------------------------------------ snapshots

  public byte[] snapshot(MachineSnapshot s) {
    JournalOut out = new JournalOut(256 + 24 * (s.inbox().size() + s.outbox().size()));
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
        writeBytes(out, sent.input(), bytes.recalled(sent.input()));
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
    for (Inbound i : s.inbox()) writeBytes(out, i.last(), bytes.recalled(i.last()));
    for (Key k : s.keys()) out.writeLong(k.fingerprint());
    // Appended only when there is something, so that other snapshots read in versions before effects.
    if (!s.effects().isEmpty() || !s.timedOutCalls().isEmpty()) {
      out.writeVarInt(s.effects().size());
      for (Pending p : s.effects()) {
        out.writeString(p.id());
        out.writeString(p.name());
        writePayload(out, p.request());
      }
      out.writeVarInt(s.timedOutCalls().size());
      for (String c : s.timedOutCalls()) out.writeString(c);
    }
    return out.toByteArray();
  }

  public MachineSnapshot snapshot(byte[] bytes) {
    JournalIn in = new JournalIn(bytes);
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
    List<Pending> effects = List.of();
    List<String> timedOut = List.of();
    if (in.more()) {
      n = in.readCount();
      effects = new ArrayList<>(n);
      for (int i = 0; i < n; i++) effects.add(new Pending(in.readString(), in.readString(), readPayload(in)));
      n = in.readCount();
      timedOut = new ArrayList<>(n);
      for (int i = 0; i < n; i++) timedOut.add(in.readString());
    }
    in.end();
    return new MachineSnapshot(state, seqNr, inbox, outbox, keys, timers, timerGeneration, effects, timedOut);
  }

  // ------------------------------------------------------------------ parts

  private static void writeAddress(JournalOut out, Address a) {
    out.writeString(a.type());
    out.writeString(a.id());
  }

  private static Address readAddress(JournalIn in) {
    return new Address(in.readString(), in.readString());
  }

  /** A user value: its class name (null for null) and, if not null, its bytes. */
  private void writePayload(JournalOut out, Object value) {
    writeBytes(out, value, value == null ? null : payloads.write(value));
  }

  private static void writeBytes(JournalOut out, Object value, byte[] bytes) {
    if (value == null) {
      out.writeString(null);
      return;
    }
    out.writeString(value.getClass().getName());
    out.writeVarInt(bytes.length);
    out.write(bytes, 0, bytes.length);
  }

  private Object readPayload(JournalIn in) {
    String className = in.readString();
    if (className == null) return null;
    return payloads.read(className, in.readBytes(in.readCount()));
  }
}
