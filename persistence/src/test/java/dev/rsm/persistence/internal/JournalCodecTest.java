package dev.rsm.persistence.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.Address;
import dev.rsm.persistence.internal.MachineSnapshot.Armed;
import dev.rsm.persistence.internal.MachineSnapshot.Inbound;
import dev.rsm.persistence.internal.MachineSnapshot.Key;
import dev.rsm.persistence.internal.MachineSnapshot.Outbound;
import dev.rsm.persistence.internal.StepTaken.Sent;
import dev.rsm.persistence.internal.StepTaken.TimerSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The journal's binary form: every field survives, strings are shared, bad bytes are refused. */
class JournalCodecTest {
  public record Credit(String from, long amount) {}

  public record Tags(List<String> tags, Map<String, Integer> counts) {}

  private static ActorSystem system;
  private static Serialization serialization;

  @BeforeAll
  static void start() {
    // No runtime registers machine types here: the test's value classes are allowed by config.
    system = ActorSystem.create("codec", ConfigFactory.parseString("rsm.serialization.allowed-classes = [\""
        + Credit.class.getName() + "\", \"" + Tags.class.getName() + "\"]").withFallback(ConfigFactory.load()));
    serialization = SerializationExtension.get(system);
  }

  @AfterAll
  static void stop() {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().join();
  }

  private static final Address A = new Address("account", "a-1");
  private static final Address B = new Address("account", "b-2");

  static StepTaken fullStep() {
    return new StepTaken(new Origin.Channel(A, 41), new Credit("a-1", -7), 1_700_000_000_123L, -42L,
        List.of(new Sent(B, 9, new Credit("b", 3)), new Sent(B, 10, "plain string"), new Sent(A, 1, 12L)),
        new Tags(List.of("x", "y"), Map.of("k", 1)),
        List.of(new TimerSet("retry", 3, 1_700_000_005_000L, new Credit("t", 1)), new TimerSet("old", 4, 0, null)),
        null);
  }

  static List<StepTaken> everyOrigin() {
    return List.of(
        fullStep(),
        new StepTaken(new Origin.External("key-1"), new Credit("x", 1), 5, 6, List.of(), Boolean.TRUE, List.of(), null),
        new StepTaken(new Origin.External(null), new Credit("x", 1), 5, 6, List.of(), null, List.of(), null),
        new StepTaken(new Origin.Timer("retry", 3), new Credit("t", 1), 0, 0, List.of(), null, List.of(), null),
        new StepTaken(new Origin.Channel(B, 2), new Credit("bad", 0), 9, 0, List.of(), null, List.of(), "IllegalStateException: no"));
  }

  @Test
  void stepsRoundTripThroughTheBoundSerializer() throws Exception {
    for (StepTaken e : everyOrigin()) assertEquals(e, roundTrip(e));
    StepsTaken batch = new StepsTaken(everyOrigin());
    assertEquals(batch, roundTrip(batch));
  }

  @Test
  void snapshotsRoundTripIncludingManyChannels() throws Exception {
    List<Inbound> inbox = new ArrayList<>();
    List<Outbound> outbox = new ArrayList<>();
    for (int i = 0; i < 300; i++) { // more distinct strings than the codec's linear table holds
      inbox.add(new Inbound(new Address("account", "in-" + i), i + 1, i % 2 == 0 ? new Credit("in", i) : null));
      Address to = new Address(i % 2 == 0 ? "account" : "ledger", "out-" + i);
      outbox.add(new Outbound(to, i + 5, i, i % 3 == 0 ? List.of(new Sent(to, i + 1, new Credit("c", i))) : List.of()));
    }
    MachineSnapshot s = new MachineSnapshot(new Credit("state", 99), 1234, inbox, outbox,
        List.of(new Key("k-1", 5L, 10, 77), new Key("k-2", null, 11, -5)),
        List.of(new Armed("retry", 7, 1_700_000_000_000L, new Credit("t", 2))), 7);
    MachineSnapshot back = (MachineSnapshot) roundTrip(s);
    assertEquals(s, back);
  }

  @Test
  void callsAnswersAndEffectsRoundTripAndOnlyStepsWithEffectsUseTheirFormat() throws Exception {
    Envelopes.CallReply answer = new Envelopes.CallReply(B, 9, new Credit("b", 3), dev.rsm.actors.Reply.Status.OK,
        new Tags(List.of("z"), Map.of()), null);
    StepTaken withEffects = new StepTaken(new Origin.Channel(B, 3), answer, 5, 6,
        List.of(new Sent(B, 11, new Envelopes.CallRequest(new Credit("c", 1)))), null,
        List.of(new TimerSet(Envelopes.callTimer(B, 11), 2, 99, new Envelopes.CallReply(B, 11, new Credit("c", 1),
            dev.rsm.actors.Reply.Status.TIMED_OUT, null, "no answer within PT1S"))), null,
        List.of(new StepTaken.EffectAsked("pay", new Credit("p", 5)), new StepTaken.EffectAsked("mail", "hello")));
    StepTaken outcome = new StepTaken(new Origin.Effect("7/0"), new Envelopes.EffectOutcome("7/0", "pay", "account/a-1/7/0",
        new Credit("p", 5), false, null, "IOException: reset", 3), 5, 6, List.of(), null, List.of(), null);
    assertEquals(withEffects, roundTrip(withEffects));
    assertEquals(outcome, roundTrip(outcome));
    StepsTaken batch = new StepsTaken(List.of(fullStep(), withEffects, outcome));
    assertEquals(batch, roundTrip(batch));
    Serializer serializer = serialization.findSerializerFor(fullStep());
    assertEquals(JournalCodec.FORMAT, serializer.toBinary(fullStep())[0], "a step without effects keeps the format before them");
    assertEquals(JournalCodec.FORMAT, serializer.toBinary(outcome)[0]);
    assertEquals(JournalCodec.FORMAT_EFFECTS, serializer.toBinary(withEffects)[0]);
    MachineSnapshot s = new MachineSnapshot(new Credit("state", 1), 7, List.of(), List.of(), List.of(), List.of(), 3,
        List.of(new MachineSnapshot.Pending("7/0", "pay", new Credit("p", 5))), List.of(Envelopes.callTimer(B, 11)));
    assertEquals(s, roundTrip(s));
  }

  @Test
  void snapshotsWrittenBeforeInboundInputsWereKeptReadWithoutThem() {
    Serializer serializer = serialization.findSerializerFor(fullStep());
    List<Inbound> inbox = List.of(new Inbound(new Address("account", "a"), 3, null),
        new Inbound(new Address("account", "b"), 4, null));
    MachineSnapshot s = new MachineSnapshot(new Credit("state", 1), 7, inbox, List.of(), List.of(), List.of(), 0);
    byte[] now = serializer.toBinary(s);
    // The earlier form ended at the timer generation: no input per channel (here one null each).
    byte[] before = java.util.Arrays.copyOf(now, now.length - inbox.size());
    assertEquals(s, serialization.deserialize(before, RsmJournalSerializer.ID, "M").get());
  }

  @Test
  void repeatedStringsAreWrittenOnce() {
    Serializer serializer = serialization.findSerializerFor(fullStep());
    StepTaken e = new StepTaken(new Origin.Channel(new Address("a-rather-long-machine-type", "x"), 1),
        new Credit("a-rather-long-machine-type", 1), 1, 1,
        List.of(new Sent(new Address("a-rather-long-machine-type", "y"), 1, new Credit("z", 1))),
        null, List.of(), null);
    byte[] bytes = serializer.toBinary(e);
    String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
    // the type name appears once in the codec's part (the payloads are Jackson's business)
    assertEquals(2, text.split("a-rather-long-machine-type", -1).length - 1,
        "type name once as an address string, once inside the Credit payload");
    assertEquals(1, text.split(Credit.class.getName().replace("$", "\\$"), -1).length - 1, "class name once");
  }

  @Test
  void eventsAndSnapshotsUseTheJournalSerializer() {
    assertInstanceOf(RsmJournalSerializer.class, serialization.findSerializerFor(fullStep()));
    assertInstanceOf(RsmJournalSerializer.class, serialization.findSerializerFor(new StepsTaken(everyOrigin())));
    assertEquals(RsmJournalSerializer.ID, serialization.findSerializerFor(fullStep()).identifier());
  }

  @Test
  void rowsWrittenByTheJacksonSerializerStayReadable() throws Exception {
    // Journals written before the binary codec hold jackson-cbor rows; recovery reads them by id.
    Serializer jackson = serialization.serializerByIdentity().get(33).get();
    for (StepTaken e : everyOrigin()) {
      byte[] old = jackson.toBinary(e);
      String manifest = Serializers.manifestFor(jackson, e);
      assertEquals(e, serialization.deserialize(old, 33, manifest).get());
    }
  }

  @Test
  void corruptOrForeignBytesAreRefusedWithAReason() {
    JournalCodec codec = new JournalCodec(new RsmJournalSerializer.JacksonPayloads(
        new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.cbor.CBORFactory()),
        getClass().getClassLoader(), AllowedClasses.get(system)));
    byte[] good = codec.step(fullStep());
    IllegalArgumentException truncated = assertThrows(IllegalArgumentException.class,
        () -> codec.step(Arrays.copyOf(good, good.length - 3)));
    assertTrue(truncated.getMessage().contains("truncated") || truncated.getMessage().contains("malformed"),
        truncated.getMessage());
    byte[] newer = good.clone();
    newer[0] = 9;
    IllegalArgumentException format = assertThrows(IllegalArgumentException.class, () -> codec.step(newer));
    assertTrue(format.getMessage().contains("format 9"), format.getMessage());
    byte[] longer = Arrays.copyOf(good, good.length + 2);
    assertThrows(IllegalArgumentException.class, () -> codec.step(longer));
  }

  @Test
  void aMessageIsSerializedOnceForTheSendersAndTheReceiversRows() {
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.cbor.CBORFactory());
    var jackson = new RsmJournalSerializer.JacksonPayloads(mapper, getClass().getClassLoader(), AllowedClasses.get(system));
    List<Object> written = new ArrayList<>();
    JournalCodec codec = new JournalCodec(new JournalCodec.Payloads() {
      @Override
      public byte[] write(Object value) {
        written.add(value);
        return jackson.write(value);
      }

      @Override
      public Object read(String className, byte[] bytes) {
        return jackson.read(className, bytes);
      }
    });
    Credit message = new Credit("a-1", 5);
    StepTaken sender = new StepTaken(new Origin.External(null), new Credit("in", 1), 1, 2,
        List.of(new Sent(B, 1, message)), null, List.of(), null);
    StepTaken receiver = new StepTaken(new Origin.Channel(A, 1), message, 3, 4, List.of(), null, List.of(), null);
    codec.step(sender);
    byte[] received = codec.step(receiver);
    assertEquals(List.of(new Credit("in", 1), message), written, "the message was serialized for the sender's row only");
    assertEquals(receiver, codec.step(received));
    // An equal message that is another object is serialized again, to the same bytes.
    StepTaken same = new StepTaken(new Origin.Channel(A, 1), new Credit("a-1", 5), 3, 4, List.of(), null, List.of(), null);
    assertTrue(Arrays.equals(received, codec.step(same)));
    assertEquals(3, written.size());
  }

  @Test
  void rowsWrittenOneAfterAnotherOnAThreadShareNothing() {
    // Steps are written into one buffer per thread: a row must not see the strings or bytes of
    // the row before it, of a row that failed half-way, or of a row written inside it.
    var jackson = new RsmJournalSerializer.JacksonPayloads(
        new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.cbor.CBORFactory()),
        getClass().getClassLoader(), AllowedClasses.get(system));
    StepTaken inner = new StepTaken(new Origin.Channel(new Address("ledger", "l-9"), 3), new Credit("l-9", 2), 7, 8,
        List.of(), null, List.of(), null);
    JournalCodec[] self = new JournalCodec[1];
    byte[][] nested = new byte[1][];
    self[0] = new JournalCodec(new JournalCodec.Payloads() {
      @Override
      public byte[] write(Object value) {
        if (value instanceof Credit c && c.from().equals("boom")) throw new IllegalArgumentException("cannot write boom");
        if (value instanceof Credit c && c.from().equals("nest")) nested[0] = self[0].step(inner);
        return jackson.write(value);
      }

      @Override
      public Object read(String className, byte[] bytes) {
        return jackson.read(className, bytes);
      }
    });
    JournalCodec codec = self[0];
    byte[] first = codec.step(fullStep());
    assertThrows(IllegalArgumentException.class, () -> codec.step(new StepTaken(new Origin.Channel(A, 1),
        new Credit("x", 1), 1, 1, List.of(new Sent(B, 1, new Credit("boom", 1))), null, List.of(), null)));
    StepTaken outer = new StepTaken(new Origin.Channel(A, 2), new Credit("nest", 1), 1, 1,
        List.of(new Sent(B, 2, new Credit("b", 1))), null, List.of(), null);
    byte[] outerBytes = codec.step(outer);
    byte[] again = codec.step(fullStep());

    assertEquals(fullStep(), codec.step(first));
    assertEquals(outer, codec.step(outerBytes));
    assertEquals(inner, codec.step(nested[0]));
    assertTrue(Arrays.equals(first, again), "the same step is the same bytes after other rows on this thread");
    StepsTaken batch = new StepsTaken(everyOrigin());
    assertEquals(batch, codec.steps(codec.steps(batch)));
  }

  private static Object roundTrip(Object o) throws Exception {
    Serializer s = serialization.findSerializerFor(o);
    byte[] bytes = s.toBinary(o);
    return serialization.deserialize(bytes, s.identifier(), Serializers.manifestFor(s, o)).get();
  }
}
