package dev.rsm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rsm.app.sample.Account;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.RsmConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** config/secure.conf: everything on, and a node without its secrets refuses to start. */
class SecurityProfileTest {
  static Config secure() {
    return RsmConfig.load(ConfigFactory.parseFile(Path.of("..", "config", "secure.conf").toFile()));
  }

  @Test
  void theSecureProfileTurnsEverythingOn() {
    Config c = secure();
    assertTrue(c.getBoolean("rsm.http.auth.enabled"));
    assertTrue(c.getBoolean("rsm.node.management-auth"));
    assertTrue(c.getBoolean("rsm.node.management-tls"));
    assertTrue(c.getBoolean("rsm.http.tls.enabled"));
    assertEquals("tls-tcp", c.getString("pekko.remote.artery.transport"));
    assertTrue(c.getBoolean("pekko.remote.artery.ssl.config-ssl-engine.require-mutual-authentication"));
    assertEquals(System.getenv().getOrDefault("RSM_TOKENS_FILE", "/etc/rsm/tokens"), c.getString("rsm.http.auth.tokens-file"));
  }

  @Test
  void withoutItsTokensFileTheNodeDoesNotStart() {
    Config c = ConfigFactory.parseString("rsm.http.auth.tokens-file = \"/nonexistent/rsm/tokens\"").withFallback(secure());
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> RsmNode.start(c, MachineRegistry.of(Account.TYPE)));
    assertTrue(e.getMessage().startsWith("could not start the node: the security configuration (rsm.http.auth, rsm.http.tls): "
        + "cannot read rsm.http.auth.tokens-file /nonexistent/rsm/tokens"), e.getMessage());
  }
}
