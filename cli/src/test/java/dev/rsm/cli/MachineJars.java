package dev.rsm.cli;

import dev.rsm.actors.Machine;
import dev.rsm.persistence.MachineModule;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Jars of machines compiled while the tests run, so that their classes are on no class path the
 * tests see: only a class loader over the jar finds them, as the CLI's {@code replay-check --jar}
 * must. Each holds {@code tally.Tally} (type {@code tally}: {@code Add(n)} adds to a sum and replies
 * with it, times {@code factor}) and a {@link MachineModule} declared in {@code META-INF/services}.
 */
final class MachineJars {
  private MachineJars() {}

  /** A jar whose handler replies with the new sum times {@code factor}. */
  static Path tally(Path dir, String name, int factor) {
    return jar(dir, name, List.of(
        new Source("tally/Tally.java", """
            package tally;

            import dev.rsm.actors.Handlers;
            import dev.rsm.actors.Machine;
            import dev.rsm.actors.MachineType;
            import dev.rsm.actors.Step;

            public final class Tally extends Machine<Tally.Input, Tally.State> {
              public static final MachineType<Input, State> TYPE = MachineType.of("tally", Tally::new);

              public sealed interface Input permits Add {}

              public record Add(long n) implements Input {}

              public record State(long sum) {}

              @Override
              public State initialState() {
                return new State(0);
              }

              @Override
              protected Handlers<Input, State> handlers() {
                return newHandlers()
                    .on(Add.class, (s, a, ctx) -> Step.to(new State(s.sum() + a.n())).reply((s.sum() + a.n()) * FACTOR))
                    .build();
              }
            }
            """.replace("FACTOR", Integer.toString(factor))),
        new Source("tally/TallyModule.java", """
            package tally;

            import dev.rsm.actors.MachineType;
            import dev.rsm.persistence.MachineModule;
            import java.util.List;

            public final class TallyModule implements MachineModule {
              @Override
              public List<MachineType<?, ?>> types() {
                return List.of(Tally.TYPE);
              }
            }
            """)), "tally.TallyModule\n");
  }

  /** A jar with the same classes and no {@code META-INF/services} entry. */
  static Path withoutModule(Path dir, String name) {
    Path withModule = tally(dir, name + "-src", 1);
    Path out = dir.resolve(name + ".jar");
    try (var in = new java.util.jar.JarFile(withModule.toFile());
        JarOutputStream jar = new JarOutputStream(Files.newOutputStream(out))) {
      for (var e : java.util.Collections.list(in.entries())) {
        if (e.getName().startsWith("META-INF/services")) continue;
        jar.putNextEntry(new JarEntry(e.getName()));
        in.getInputStream(e).transferTo(jar);
        jar.closeEntry();
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  private record Source(String path, String text) {}

  private static Path jar(Path dir, String name, List<Source> sources, String services) {
    try {
      Path src = Files.createDirectories(dir.resolve(name + "/src"));
      Path classes = Files.createDirectories(dir.resolve(name + "/classes"));
      List<String> args = new ArrayList<>(List.of("--release", "17", "-d", classes.toString(), "-cp", classPath()));
      for (Source s : sources) {
        Path f = src.resolve(s.path());
        Files.createDirectories(f.getParent());
        Files.writeString(f, s.text());
        args.add(f.toString());
      }
      JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
      ByteArrayOutputStream errors = new ByteArrayOutputStream();
      int rc = javac.run(null, OutputStream.nullOutputStream(), errors, args.toArray(String[]::new));
      if (rc != 0) throw new IllegalStateException("javac failed (" + rc + "): " + errors.toString(StandardCharsets.UTF_8));
      Path jar = dir.resolve(name + ".jar");
      try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(classes)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
          Files.copy(f, out);
          out.closeEntry();
        }
        out.putNextEntry(new JarEntry("META-INF/services/" + MachineModule.class.getName()));
        out.write(services.getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
      }
      return jar;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The jars RSM's API is in: the machines compile against these only. */
  private static String classPath() {
    List<String> parts = new ArrayList<>();
    for (Class<?> c : List.of(Machine.class, MachineModule.class, com.typesafe.config.Config.class)) {
      try {
        parts.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
      } catch (URISyntaxException e) {
        throw new IllegalStateException(e);
      }
    }
    return String.join(java.io.File.pathSeparator, parts);
  }
}
