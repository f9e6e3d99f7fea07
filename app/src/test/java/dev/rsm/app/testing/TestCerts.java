package dev.rsm.app.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate made at test time with the JDK's keytool, as docs/security.md tells
 * operators to make one: a PKCS12 key store with the private key, and a trust store holding only
 * the certificate. Valid for 127.0.0.1 and localhost.
 */
public record TestCerts(Path keyStore, Path trustStore, String password) {
  public static final String PASSWORD = "test-password";

  /** Generates a new key pair and certificate (CN={@code name}) into {@code dir}. */
  public static TestCerts generate(Path dir, String name) {
    Path ks = dir.resolve(name + "-keystore.p12");
    Path cert = dir.resolve(name + ".crt");
    Path ts = dir.resolve(name + "-truststore.p12");
    keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
        "-dname", "CN=" + name, "-ext", "SAN=ip:127.0.0.1,dns:localhost",
        "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass", PASSWORD);
    keytool("-exportcert", "-alias", name, "-keystore", ks.toString(), "-storepass", PASSWORD,
        "-rfc", "-file", cert.toString());
    keytool("-importcert", "-noprompt", "-alias", name, "-file", cert.toString(),
        "-storetype", "PKCS12", "-keystore", ts.toString(), "-storepass", PASSWORD);
    return new TestCerts(ks, ts, PASSWORD);
  }

  /** A client context that trusts this certificate only. */
  public SSLContext clientContext() {
    try (InputStream in = Files.newInputStream(trustStore)) {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(in, password.toCharArray());
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void keytool(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0)
        throw new IllegalStateException("keytool failed: " + String.join(" ", cmd) + "\n" + out);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
