package dev.rsm.persistence.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import java.util.Optional;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.Address;
import dev.rsm.persistence.IngressResult;
import dev.rsm.persistence.machines.Counter;
import dev.rsm.persistence.machines.Coupon;
import dev.rsm.persistence.machines.Shop;
import dev.rsm.persistence.machines.Stray;
import dev.rsm.persistence.internal.Protocol.Deliver;
import dev.rsm.persistence.internal.Protocol.Ingress;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * A node deserializes, from the network and from the journal, only classes of the machine types it
 * runs (and JDK values): a message or a row naming any other class is refused with an error naming
 * it, before the class is loaded.
 */
class AllowedClassesTest {
  /** A class no machine type reaches. */
  public record Outsider(String payload) {}

  /** Listed in rsm.serialization.allowed-classes by this test's config. */
  public record Configured(Shop.Money amount) {}

  /** Stands for a gadget: initializing it (which Jackson would, to instantiate it) trips the flag. */
  public static final class Tripwire {
    static {
      TRIPPED.set(true);
    }

    public String command;
  }

  // Held here: reading a field of Tripwire would initialize it.
  private static final java.util.concurrent.atomic.AtomicBoolean TRIPPED = new java.util.concurrent.atomic.AtomicBoolean();
  private static final String TRIPWIRE = AllowedClassesTest.class.getName() + "$Tripwire";
  private static final Address SHOP = Shop.TYPE.address("s1");

  private static ActorSystem<Protocol.Command> system;
  private static Serialization serialization;

  @BeforeAll
  static void start() {
    system = ActorSystem.create(Behaviors.ignore(), "allowed", ConfigFactory.parseString(
        "rsm.serialization.allowed-classes = [\"" + Configured.class.getName() + "\", \"java.net.URI\"]")
        .withFallback(ConfigFactory.load()));
    AllowedClasses.get(system).register(List.of(Shop.TYPE)); // what a runtime does when it starts
    serialization = SerializationExtension.get(system);
  }

  @AfterAll
  static void stop() {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().join();
  }

  @Test
  void theMachineTypesClassesAreReachableAndNothingElse() {
    Set<String> names = new HashSet<>();
    ReachableClasses.of(Shop.TYPE, names);
    for (Class<?> c : List.of(Shop.Input.class, Shop.Buy.class, Shop.Redeem.class, Shop.Misbehave.class,
        Shop.Item.class, Shop.Money.class, Shop.State.class, Shop.Receipt.class, Coupon.class))
      assertTrue(names.contains(c.getName()), c + " is reachable");
    assertFalse(names.contains(Outsider.class.getName()));
    assertFalse(names.contains(Stray.class.getName()), "defined outside the machine and not declared");
    assertTrue(names.stream().noneMatch(n -> n.startsWith("java.")), "JDK classes come from the fixed list: " + names);

    AllowedClasses allowed = AllowedClasses.get(system);
    assertTrue(allowed.allows(Configured.class.getName()), "listed in the config");
    assertTrue(allowed.allows("java.net.URI"), "a JDK class listed in the config by name");
    for (String jdk : List.of("java.lang.Long", "java.lang.String", "java.time.Instant", "java.util.ArrayList",
        "java.util.ImmutableCollections$ListN", "[J", "[Ljava.lang.String;", "[L" + Shop.Item.class.getName() + ";"))
      assertTrue(allowed.allows(jdk), jdk);
    for (String refused : List.of(Outsider.class.getName(), TRIPWIRE, "com.sun.rowset.JdbcRowSetImpl",
        "java.lang.ProcessBuilder", "java.net.URL", "[L" + Outsider.class.getName() + ";",
        Counter.Add.class.getName())) // a machine type that this node does not run
      assertFalse(allowed.allows(refused), refused);
  }

  @Test
  void aDeliverOfTheMachinesInputsCrosses() {
    ActorRef<Protocol.Command> ackTo = system;
    var input = new Shop.Buy(new Shop.Item("sku-1", new Shop.Money(250)), new Shop.Money(5));
    Deliver back = (Deliver) roundTrip(new Deliver(SHOP, 3, input, ackTo, null));
    assertEquals(input, back.input());
    var values = List.of(12L, Instant.ofEpochSecond(7), List.of(1, 2, 3), Map.of("k", "v"), new Configured(new Shop.Money(1)));
    for (Object v : values)
      assertEquals(v, ((Deliver) roundTrip(new Deliver(SHOP, 4, v, ackTo, null))).input(), "" + v);
  }

  @Test
  void aDeliverNamingAnotherClassIsRefusedWithItsName() {
    Deliver hostile = new Deliver(SHOP, 3, new Outsider("x"), system, null);
    Exception e = assertThrows(Exception.class, () -> roundTrip(hostile));
    assertRefused(e, Outsider.class.getName());
  }

  @Test
  void aClassNamedInsideAnAllowedValueIsRefusedToo() {
    // The input is a Shop input, but its note (a user's own @JsonTypeInfo(CLASS) field) is not.
    var input = new Shop.Buy(new Shop.Item("sku-1", new Shop.Money(250)), new Outsider("x"));
    Exception e = assertThrows(Exception.class, () -> roundTrip(new Deliver(SHOP, 3, input, system, null)));
    assertRefused(e, Outsider.class.getName());
  }

  @Test
  void anIngressNamingAGadgetIsRefusedBeforeItsClassIsInitialized() throws Exception {
    // A peer writes the bytes it likes: here an Ingress whose input names the tripwire class.
    ActorRef<IngressResult> replyTo = system.unsafeUpcast();
    Ingress honest = new Ingress("key-1", new Shop.Redeem("c"), replyTo);
    Serializer s = serialization.findSerializerFor(honest);
    String manifest = Serializers.manifestFor(s, honest);
    ObjectMapper cbor = new ObjectMapper(new CBORFactory());
    ObjectNode tree = (ObjectNode) cbor.readTree(serialization.serialize(honest).get());
    ((ArrayNode) tree.get("input")).set(0, tree.textNode(TRIPWIRE));
    ((ArrayNode) tree.get("input")).set(1, cbor.createObjectNode().put("command", "anything"));
    byte[] hostile = cbor.writeValueAsBytes(tree);

    Exception e = assertThrows(Exception.class, () -> serialization.deserialize(hostile, s.identifier(), manifest).get());
    assertRefused(e, TRIPWIRE);
    assertFalse(TRIPPED.get(), "the class was initialized");
    // The same bytes with an allowed class go through: the refusal is the class, not the tampering.
    ((ArrayNode) tree.get("input")).set(0, tree.textNode(Shop.Redeem.class.getName()));
    ((ArrayNode) tree.get("input")).set(1, cbor.createObjectNode().put("code", "c2"));
    Ingress back = (Ingress) serialization.deserialize(cbor.writeValueAsBytes(tree), s.identifier(), manifest).get();
    assertEquals(new Shop.Redeem("c2"), back.input());
  }

  @Test
  void aJournalRowNamingAnotherClassIsRefusedWithItsName() throws Exception {
    StepTaken good = new StepTaken(new Origin.External("k"), new Shop.Redeem("c"), 1, 2, List.of(),
        new Coupon("c"), List.of(), null);
    assertEquals(good, journalRoundTrip(good));

    StepTaken bad = new StepTaken(new Origin.External("k"), new Shop.Redeem("c"), 1, 2, List.of(),
        new Outsider("x"), List.of(), null);
    Exception e = assertThrows(Exception.class, () -> journalRoundTrip(bad));
    assertRefused(e, Outsider.class.getName());
  }

  @Test
  void aJournalRowNamingAGadgetIsRefusedBeforeItsClassIsInitialized() {
    // A row's user value is [class name, CBOR bytes]: the codec is handed the name as written.
    RsmJournalSerializer.JacksonPayloads payloads = new RsmJournalSerializer.JacksonPayloads(
        JacksonObjectMapperProvider.get(system).getOrCreate("jackson-cbor", Optional.of(new CBORFactory())),
        getClass().getClassLoader(), AllowedClasses.get(system));
    Exception e = assertThrows(IllegalArgumentException.class, () -> payloads.read(TRIPWIRE, new byte[] {(byte) 0xa0}));
    assertRefused(e, TRIPWIRE);
    assertFalse(TRIPPED.get(), "the class was initialized");
  }

  @Test
  void aConfiguredClassThatDoesNotExistStopsTheNodeWithItsName() {
    // The journal serializer asks for the allowed classes when the system starts.
    Exception e = assertThrows(Exception.class, () -> {
      ActorSystem<Void> other = ActorSystem.create(Behaviors.empty(), "misconfigured", ConfigFactory.parseString(
          "rsm.serialization.allowed-classes = [\"com.example.Missing\"]").withFallback(ConfigFactory.load()));
      try {
        AllowedClasses.get(other);
      } finally {
        other.terminate();
      }
    });
    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) all.append(t.getMessage()).append(" | ");
    assertTrue(all.toString().contains("rsm.serialization.allowed-classes names com.example.Missing"), all.toString());
  }

  private static void assertRefused(Throwable e, String className) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) all.append(t.getMessage()).append(" | ");
    String m = all.toString();
    assertTrue(m.contains(className) && m.contains("not allowed") && m.contains("rsm.serialization.allowed-classes"), m);
  }

  private static Object roundTrip(Object o) {
    Serializer s = serialization.findSerializerFor(o);
    byte[] bytes = serialization.serialize(o).get();
    return serialization.deserialize(bytes, s.identifier(), Serializers.manifestFor(s, o)).get();
  }

  private static Object journalRoundTrip(Object o) {
    Serializer s = serialization.findSerializerFor(o);
    assertInstanceOf(RsmJournalSerializer.class, s);
    return roundTrip(o);
  }
}
