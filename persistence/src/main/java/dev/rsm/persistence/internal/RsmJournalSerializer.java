package dev.rsm.persistence.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;

/**
 * INTERNAL API. Pekko serializer for the journal's events and the machines' snapshots, in the
 * binary form of {@link JournalCodec}. User values inside go through the object mapper of Pekko's
 * {@code jackson-cbor} binding, so Jackson settings and modules configured for that binding apply
 * to them too. Bound in {@code reference.conf}.
 */
public final class RsmJournalSerializer extends SerializerWithStringManifest {
  /** Serializer id, stored with every row; must stay the same across versions. */
  public static final int ID = 7_317_001;

  private static final String STEP = "S", STEPS = "B", SNAPSHOT = "M";

  private final JournalCodec codec;

  public RsmJournalSerializer(ExtendedActorSystem system) {
    ObjectMapper mapper = JacksonObjectMapperProvider.get(system)
        .getOrCreate("jackson-cbor", Optional.of(new CBORFactory()));
    ClassLoader loader = system.dynamicAccess().classLoader();
    this.codec = new JournalCodec(new JacksonPayloads(mapper, loader, AllowedClasses.get(system)));
  }

  /**
   * The codec of the serializer that writes {@code system}'s journal rows, or null if another
   * serializer is bound to them.
   */
  public static JournalCodec codec(org.apache.pekko.actor.typed.ActorSystem<?> system) {
    try {
      var s = org.apache.pekko.serialization.SerializationExtension
          .get(org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(system)).serializerFor(StepTaken.class);
      return s instanceof RsmJournalSerializer r ? r.codec : null;
    } catch (NotSerializableException e) {
      return null;
    }
  }

  @Override
  public int identifier() {
    return ID;
  }

  @Override
  public String manifest(Object o) {
    if (o instanceof StepTaken) return STEP;
    if (o instanceof StepsTaken) return STEPS;
    if (o instanceof MachineSnapshot) return SNAPSHOT;
    throw new IllegalArgumentException("cannot serialize " + o.getClass().getName() + " with " + getClass().getName());
  }

  @Override
  public byte[] toBinary(Object o) {
    if (o instanceof StepTaken e) return codec.step(e);
    if (o instanceof StepsTaken e) return codec.steps(e);
    if (o instanceof MachineSnapshot s) return codec.snapshot(s);
    throw new IllegalArgumentException("cannot serialize " + o.getClass().getName() + " with " + getClass().getName());
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    switch (manifest) {
      case STEP:
        return codec.step(bytes);
      case STEPS:
        return codec.steps(bytes);
      case SNAPSHOT:
        return codec.snapshot(bytes);
      default:
        throw new NotSerializableException("unknown manifest '" + manifest + "' for " + getClass().getName());
    }
  }

  /**
   * User values as CBOR, without type information: the codec writes the class name itself, and a
   * name is loaded only if {@link AllowedClasses} allows it.
   */
  static final class JacksonPayloads implements JournalCodec.Payloads {
    private final ObjectMapper mapper;
    private final ClassLoader loader;
    private final AllowedClasses allowed;
    // Only allowed classes enter: a hit needs no check (the allowed set only grows).
    private final ConcurrentHashMap<String, Class<?>> classes = new ConcurrentHashMap<>();

    JacksonPayloads(ObjectMapper mapper, ClassLoader loader, AllowedClasses allowed) {
      this.mapper = mapper;
      this.loader = loader;
      this.allowed = allowed;
    }

    @Override
    public byte[] write(Object value) {
      try {
        return mapper.writeValueAsBytes(value);
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot serialize " + value.getClass().getName() + ": " + e.getMessage(), e);
      }
    }

    @Override
    public Object read(String className, byte[] bytes) {
      Class<?> cls = classes.get(className);
      if (cls == null) {
        if (!allowed.allows(className))
          throw new IllegalArgumentException("a journaled value " + allowed.refusal(className));
        cls = classes.computeIfAbsent(className, this::load);
      }
      try {
        return mapper.readValue(bytes, cls);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot deserialize a " + className + " from the journal: " + e.getMessage(), e);
      }
    }

    private Class<?> load(String name) {
      try {
        return Class.forName(name, false, loader);
      } catch (ClassNotFoundException e) {
        throw new IllegalArgumentException("class " + name + " of a journaled value is not on the classpath", e);
      }
    }
  }
}
