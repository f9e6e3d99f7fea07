package dev.rsm.persistence.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;

/**
 * INTERNAL API. Compares user values (inputs, replies, timer inputs) as the journal holds them.
 * A value read back from the journal need not be {@code equals} to the one that was written: a
 * record holding an array compares arrays by identity, and a number in an {@code Object}-typed
 * field comes back as the smallest type that holds it (a {@code Long} as an {@code Integer}).
 * Two values are the same when they are equal, or of one class and written as the same bytes by
 * the journal's object mapper. The encoding is only computed when {@code equals} says no.
 */
public final class Encoded {
  private static volatile ObjectMapper standalone;

  private Encoded() {}

  /** The object mapper user values are journaled with on {@code system} (Pekko's jackson-cbor). */
  public static ObjectMapper mapper(ActorSystem<?> system) {
    return JacksonObjectMapperProvider.get(system).getOrCreate("jackson-cbor", Optional.of(new CBORFactory()));
  }

  /** A CBOR object mapper for checks without an actor system (the testkit's replay check). */
  public static ObjectMapper standaloneMapper() {
    ObjectMapper m = standalone;
    if (m == null) standalone = m = new ObjectMapper(new CBORFactory()).findAndRegisterModules();
    return m;
  }

  /** Whether {@code a} and {@code b} are the same value as the journal records it. */
  public static boolean same(ObjectMapper mapper, Object a, Object b) {
    if (Objects.equals(a, b)) return true;
    if (a == null || b == null || a.getClass() != b.getClass()) return false;
    try {
      return Arrays.equals(mapper.writeValueAsBytes(a), mapper.writeValueAsBytes(b));
    } catch (JsonProcessingException e) {
      return false;
    }
  }
}
