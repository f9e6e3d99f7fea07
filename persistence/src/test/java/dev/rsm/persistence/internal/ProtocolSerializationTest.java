package dev.rsm.persistence.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.Address;
import dev.rsm.persistence.IngressResult;
import dev.rsm.persistence.internal.Protocol.Ack;
import dev.rsm.persistence.internal.Protocol.Deliver;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Delivery messages cross nodes with every field but the sender's local channel object, which is a
 * shortcut within one JVM: it must never be serialized, and its absence only costs a lookup.
 */
class ProtocolSerializationTest {
  public record Credit(String from, long amount) {}

  private static ActorSystem<Protocol.Command> system;
  private static Serialization serialization;

  @BeforeAll
  static void start() {
    system = ActorSystem.create(Behaviors.ignore(), "protocol", ConfigFactory.parseString(
        "pekko.actor.serialization-bindings { \"" + Credit.class.getName() + "\" = jackson-cbor }\n"
            + "rsm.serialization.allowed-classes = [\"" + Credit.class.getName() + "\"]")
        .withFallback(ConfigFactory.load()));
    serialization = SerializationExtension.get(system);
  }

  @AfterAll
  static void stop() {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().join();
  }

  private static Object roundTrip(Object o) {
    // serialize() sets the transport information that actor refs need, as remoting does.
    Serializer s = serialization.findSerializerFor(o);
    byte[] bytes = serialization.serialize(o).get();
    return serialization.deserialize(bytes, s.identifier(), Serializers.manifestFor(s, o)).get();
  }

  @Test
  void deliverCrossesWithoutTheSendersChannel() throws Exception {
    ActorRef<Protocol.Command> ackTo = system;
    Deliver d = new Deliver(new Address("account", "a"), 42, new Credit("a", 5), ackTo, new Object());
    Deliver back = (Deliver) roundTrip(d);
    assertEquals(d.from(), back.from());
    assertEquals(42, back.seq());
    assertEquals(new Credit("a", 5), back.input());
    assertEquals(ackTo, back.ackTo());
    assertNull(back.channel());
  }

  @Test
  void deliveriesAndInputsCarryTheirTraceContextAndLeaveItOutWithoutOne() throws Exception {
    ActorRef<Protocol.Command> ackTo = system;
    String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    Address from = new Address("account", "a");
    assertEquals(traceparent, ((Deliver) roundTrip(new Deliver(from, 1, new Credit("a", 5), ackTo, null, traceparent))).trace());
    ActorRef<IngressResult> replyTo = system.unsafeUpcast();
    Protocol.Ingress in = new Protocol.Ingress("k", new Credit("a", 5), replyTo, traceparent);
    assertEquals(in, roundTrip(in));
    // Without a trace context the message is what it was before the field existed, so a node that
    // does not know the field reads it; and one that does reads the older form as "no context".
    Deliver untraced = new Deliver(from, 1, new Credit("a", 5), ackTo, null);
    byte[] bytes = serialization.serialize(untraced).get();
    assertEquals(-1, new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf("trace"));
    assertNull(((Deliver) roundTrip(untraced)).trace());
    // An older node ignores the field it does not know (Pekko's Jackson default).
    assertEquals(false, system.settings().config()
        .getBoolean("pekko.serialization.jackson.deserialization-features.FAIL_ON_UNKNOWN_PROPERTIES"));
  }

  @Test
  void ackCrossesWithoutTheSendersChannelOrTheReceiversRef() throws Exception {
    ActorRef<Protocol.Command> by = system; // a direct route is for this JVM only
    Ack back = (Ack) roundTrip(new Ack(new Address("account", "b"), 7, 9, new Object(), by));
    assertEquals(new Ack(new Address("account", "b"), 7, 9, null, null), back);
  }

  @Test
  void anUnavailableAnswerCrossesWithItsReason() throws Exception {
    assertInstanceOf(org.apache.pekko.serialization.jackson.JacksonCborSerializer.class,
        serialization.serializerFor(IngressResult.Unavailable.class));
    for (IngressResult.Unavailable.Reason reason : IngressResult.Unavailable.Reason.values()) {
      IngressResult.Unavailable u = new IngressResult.Unavailable(reason, "machine account|a: " + reason);
      assertEquals(u, roundTrip(u));
    }
  }
}
