package dev.rsm.actors;

import java.util.Objects;

/**
 * The address of a machine: its type name and its id. Machines are virtual: addressing one creates
 * it with its type's initial state, so every address with a valid id is valid as long as its type
 * is registered.
 *
 * <p>An id is 1 to {@value #MAX_ID_LENGTH} characters, none of them whitespace or a control
 * character, no unpaired surrogate and no U+FFFD (the replacement character a decoder puts in
 * place of bytes that were not UTF-8): it is part of the machine's persistence id, which the
 * journal stores in 255 characters, and must be storable in every supported database. An invalid
 * id is refused with an {@link InvalidIdException} that states this rule, wherever it comes from:
 * an HTTP request (400), or a handler's send (the sending step fails, and nothing is sent).
 */
public record Address(String type, String id) {
  /** The longest machine id: with the longest type name, the persistence id fits 255 characters. */
  public static final int MAX_ID_LENGTH = 180;

  public Address {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(id, "id");
    if (type.isEmpty()) throw new IllegalArgumentException("machine type name must not be empty");
    String problem = idProblem(id);
    if (problem != null) throw new InvalidIdException(id, problem);
  }

  /** An id that breaks the rule above. */
  public static final class InvalidIdException extends IllegalArgumentException {
    InvalidIdException(String id, String problem) {
      super("invalid machine id " + quote(id) + ": " + problem + "; a machine id is 1 to " + MAX_ID_LENGTH
          + " characters, without whitespace, control characters, unpaired surrogates or U+FFFD");
    }

    private static String quote(String id) {
      String shown = id.length() > 40 ? id.substring(0, 40) + "..." : id;
      StringBuilder b = new StringBuilder("'");
      shown.codePoints().forEach(c -> {
        if (Character.isISOControl(c) || Character.isWhitespace(c) || Character.getType(c) == Character.SURROGATE)
          b.append(String.format("\\u%04x", c));
        else b.appendCodePoint(c);
      });
      return b.append('\'').toString();
    }
  }

  /** Why {@code id} is not a valid machine id, or null if it is. */
  public static String idProblem(String id) {
    if (id.isEmpty()) return "it is empty";
    if (id.length() > MAX_ID_LENGTH) return "it has " + id.length() + " characters";
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (Character.isISOControl(c)) return "it contains a control character at " + i;
      if (Character.isWhitespace(c) || Character.isSpaceChar(c)) return "it contains whitespace at " + i;
      // What a decoder puts in place of bytes that were not valid UTF-8 (a percent-encoded path
      // segment, a misdecoded body): such an id is not the one its sender meant.
      if (c == '\uFFFD') return "it contains U+FFFD, the replacement for bytes that were not UTF-8, at " + i;
      if (Character.isHighSurrogate(c) && i + 1 < id.length() && Character.isLowSurrogate(id.charAt(i + 1))) i++;
      else if (Character.isSurrogate(c)) return "it contains an unpaired surrogate at " + i;
    }
    return null;
  }

  public static Address of(String type, String id) {
    return new Address(type, id);
  }

  /** The Pekko persistence id of this machine's journal: {@code rsm|<type>|<id>}. */
  public String persistenceId() {
    return "rsm|" + type + "|" + id;
  }

  // Written out: the runtime looks addresses up in per-channel maps on every message, and a
  // record's generated methods go through an indirection (ObjectMethods) that these do not.
  @Override
  public int hashCode() {
    return 31 * type.hashCode() + id.hashCode();
  }

  @Override
  public boolean equals(Object o) {
    return this == o || (o instanceof Address a && id.equals(a.id) && type.equals(a.type));
  }

  @Override
  public String toString() {
    return type + "/" + id;
  }
}
