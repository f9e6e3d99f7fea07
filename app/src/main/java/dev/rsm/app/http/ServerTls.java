package dev.rsm.app.http;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;

/**
 * TLS for the HTTP ingress, from {@code rsm.http.tls}: the server's key and certificate chain come
 * from a key store (PKCS12 by default), read once at start-up. Clients are not asked for
 * certificates; they authenticate with bearer tokens ({@link BearerAuth}).
 */
public final class ServerTls {
  private ServerTls() {}

  /**
   * The HTTPS context to bind with, or empty when {@code rsm.http.tls.enabled = off}.
   *
   * @throws IllegalArgumentException when enabled and the key store is missing, unreadable, has
   *     the wrong password or type, or holds no private key
   */
  public static Optional<HttpsConnectionContext> fromConfig(Config root) {
    Config c = root.getConfig("rsm.http.tls");
    if (!c.getBoolean("enabled")) return Optional.empty();
    String path = c.getString("key-store");
    if (path.isEmpty())
      throw new IllegalArgumentException("rsm.http.tls.enabled = on but rsm.http.tls.key-store is not set");
    char[] password = c.getString("key-store-password").toCharArray();
    String type = c.getString("key-store-type");
    try {
      KeyStore ks = KeyStore.getInstance(type);
      try (InputStream in = Files.newInputStream(Path.of(path))) {
        ks.load(in, password);
      }
      boolean hasKey = false;
      for (var aliases = ks.aliases(); aliases.hasMoreElements(); ) hasKey |= ks.isKeyEntry(aliases.nextElement());
      if (!hasKey) throw new IllegalArgumentException("rsm.http.tls.key-store " + path + " holds no private key");
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, password); // the key's password is the store's, as keytool -storetype PKCS12 makes it
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(kmf.getKeyManagers(), null, new SecureRandom());
      return Optional.of(ConnectionContext.httpsServer(ssl));
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot load rsm.http.tls.key-store " + path + " (type " + type + "): "
          + e.getMessage(), e);
    }
  }
}
