package dev.rsm.cli;

import dev.rsm.actors.MachineType;
import dev.rsm.persistence.MachineModule;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * A jar of machines, loaded in a class loader of its own (over this tool's classes, so RSM's API
 * is shared): its machine types are those of the {@link MachineModule}s it declares in {@code
 * META-INF/services/dev.rsm.persistence.MachineModule}, as a node finds them.
 */
final class MachineJar implements AutoCloseable {
  final URLClassLoader loader;
  final List<MachineType<?, ?>> types;

  private MachineJar(URLClassLoader loader, List<MachineType<?, ?>> types) {
    this.loader = loader;
    this.types = types;
  }

  static MachineJar open(Path jar) {
    if (!Files.isRegularFile(jar) || !Files.isReadable(jar)) throw new Rsm.UsageError("--jar: cannot read " + jar);
    URLClassLoader loader;
    try {
      loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, MachineJar.class.getClassLoader());
    } catch (MalformedURLException e) {
      throw new Rsm.UsageError("--jar: " + jar + ": " + e.getMessage());
    }
    List<MachineType<?, ?>> types = new ArrayList<>();
    try {
      for (ServiceLoader.Provider<MachineModule> p : ServiceLoader.load(MachineModule.class, loader).stream().toList())
        // Only the jar's own modules, not those the tool's class path may declare.
        if (p.type().getClassLoader() == loader) types.addAll(p.get().types());
    } catch (java.util.ServiceConfigurationError | RuntimeException | LinkageError e) {
      close(loader);
      throw new Rsm.UsageError("--jar " + jar + ": its machine modules cannot be loaded: " + e);
    }
    if (types.isEmpty()) {
      close(loader);
      throw new Rsm.UsageError("--jar " + jar + " declares no machine module: list your "
          + MachineModule.class.getName() + " implementations in META-INF/services/" + MachineModule.class.getName());
    }
    return new MachineJar(loader, List.copyOf(types));
  }

  @Override
  public void close() {
    close(loader);
  }

  private static void close(URLClassLoader loader) {
    try {
      loader.close();
    } catch (IOException ignored) {
      // nothing more to release
    }
  }
}
