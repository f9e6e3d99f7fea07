package dev.rsm.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link RsmConfig#load} takes from the class path. */
class RsmConfigTest {

  @Test
  void rsmsReferenceWinsOverALibraryThatComesFirstOnTheClassPath(@TempDir Path dir) throws IOException {
    // A user's project may put Pekko's jars before RSM's: their reference.conf files then come first.
    Path pekko = Files.createDirectories(dir.resolve("pekko-actor.jar"));
    Files.writeString(pekko.resolve("reference.conf"), "pekko.actor.provider = local\n");
    Path rsm = Files.createDirectories(dir.resolve("rsm-sharding.jar"));
    Files.writeString(rsm.resolve("reference.conf"), """
        rsm.storage.h2.write-delay-zero = on
        rsm.storage.jdbc.url = "jdbc:h2:mem:rsm-config-test"
        pekko.actor.provider = cluster
        """);
    Thread thread = Thread.currentThread();
    ClassLoader before = thread.getContextClassLoader();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {pekko.toUri().toURL(), rsm.toUri().toURL()}, null)) {
      thread.setContextClassLoader(loader);
      ConfigFactory.invalidateCaches();

      assertEquals("cluster", RsmConfig.load(ConfigFactory.empty()).getString("pekko.actor.provider"));
      assertEquals("local", ConfigFactory.load(loader).getString("pekko.actor.provider"), "the order without RsmConfig");
    } finally {
      thread.setContextClassLoader(before);
      ConfigFactory.invalidateCaches();
    }
  }
}
