package dev.rsm.app.http;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.HttpCredentials;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Bearer-token authentication for a node's HTTP endpoints, from {@code rsm.http.auth} (see
 * reference.conf and docs/security.md).
 *
 * <p>Guarantee: when enabled, a request reaches the protected route only if it carries {@code
 * Authorization: Bearer <token>} with one of the configured tokens. Any other request is answered
 * 401 with {@code WWW-Authenticate: Bearer} and an empty body (no hint whether the token was
 * missing, malformed or wrong), before its path, method or body is looked at. Tokens are compared
 * as SHA-256 digests with {@link MessageDigest#isEqual}, against every configured token, so the
 * time taken does not depend on how much of a token matched, nor on which token matched.
 *
 * <p>Off by default: a node then answers anyone who can reach its port.
 */
public final class BearerAuth extends AllDirectives {
  /** RFC 6750's token68 alphabet; anything else would not survive header parsing unchanged. */
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9\\-._~+/]+=*");
  /** Shorter tokens are guessable; a start-up error says so rather than running weakly protected. */
  public static final int MIN_TOKEN_LENGTH = 16;

  private final boolean enabled;
  private final List<byte[]> digests;

  private BearerAuth(boolean enabled, List<byte[]> digests) {
    this.enabled = enabled;
    this.digests = digests;
  }

  /** No authentication: {@link #protect} returns the route unchanged. */
  public static BearerAuth off() {
    return new BearerAuth(false, List.of());
  }

  /** Authentication with these tokens (at least one, each {@value #MIN_TOKEN_LENGTH}+ token68 characters). */
  public static BearerAuth of(List<String> tokens) {
    if (tokens.isEmpty())
      throw new IllegalArgumentException("rsm.http.auth.enabled = on but no tokens are configured: set "
          + "rsm.http.auth.tokens or rsm.http.auth.tokens-file");
    List<byte[]> digests = new ArrayList<>();
    for (int i = 0; i < tokens.size(); i++) {
      String t = tokens.get(i);
      // The token itself is never put in a message: it may be a real secret with a typo.
      if (t.length() < MIN_TOKEN_LENGTH)
        throw new IllegalArgumentException("auth token #" + (i + 1) + " is shorter than " + MIN_TOKEN_LENGTH
            + " characters; generate one with: openssl rand -base64 32");
      if (!TOKEN.matcher(t).matches())
        throw new IllegalArgumentException("auth token #" + (i + 1)
            + " has characters outside A-Z a-z 0-9 - . _ ~ + / (and trailing =)");
      digests.add(sha256(t));
    }
    return new BearerAuth(true, List.copyOf(digests));
  }

  /**
   * From {@code rsm.http.auth}: the tokens of {@code tokens} and of {@code tokens-file} (one per
   * line; blank lines and lines starting with {@code #} are skipped), read once, at start-up.
   *
   * @throws IllegalArgumentException when enabled with no usable token, or the file cannot be read
   */
  public static BearerAuth fromConfig(Config root) {
    Config c = root.getConfig("rsm.http.auth");
    if (!c.getBoolean("enabled")) return off();
    List<String> tokens = new ArrayList<>(c.getStringList("tokens"));
    String file = c.getString("tokens-file");
    if (!file.isEmpty()) {
      try {
        for (String line : Files.readAllLines(Path.of(file), StandardCharsets.UTF_8)) {
          String t = line.strip();
          if (!t.isEmpty() && !t.startsWith("#")) tokens.add(t);
        }
      } catch (IOException e) {
        // Not chained: the node's start-up error names the innermost cause, which would drop what this says.
        throw new IllegalArgumentException("cannot read rsm.http.auth.tokens-file " + file + ": " + e);
      }
    }
    return of(tokens);
  }

  public boolean enabled() {
    return enabled;
  }

  /** Whether {@code token} is one of the configured tokens (always true when off). */
  public boolean accepts(String token) {
    if (!enabled) return true;
    byte[] given = sha256(token);
    boolean ok = false;
    for (byte[] d : digests) ok |= MessageDigest.isEqual(d, given); // no early exit
    return ok;
  }

  /** {@code inner}, reachable only with a configured bearer token when enabled. */
  public Route protect(Supplier<Route> inner) {
    if (!enabled) return inner.get();
    Route protectedRoute = inner.get();
    return extractCredentials(credentials -> credentials.isPresent() && authorized(credentials.get())
        ? protectedRoute
        : complete(unauthorized()));
  }

  private boolean authorized(HttpCredentials c) {
    return "bearer".equalsIgnoreCase(c.scheme()) && accepts(c.token());
  }

  /** 401 with {@code WWW-Authenticate: Bearer} and nothing else. */
  public static HttpResponse unauthorized() {
    return HttpResponse.create().withStatus(StatusCodes.UNAUTHORIZED)
        .addHeader(RawHeader.create("WWW-Authenticate", "Bearer"));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
