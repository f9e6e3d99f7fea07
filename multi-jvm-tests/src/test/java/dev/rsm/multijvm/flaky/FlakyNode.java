package dev.rsm.multijvm.flaky;

import dev.rsm.app.Main;
import dev.rsm.app.sample.Account;
import dev.rsm.persistence.MachineRegistry;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The app's node (or, with {@code --replica-monitor}, its replica monitor process), hosting the
 * bank sample and {@link Flaky}: what {@code rsm.jar}'s own main does, with one more machine type.
 * Started by the harness with {@code NodeProcess.mainClass}, on the jar's class path plus this
 * module's test classes. A file named {@code break-flaky} appearing in the working directory sets
 * {@link Flaky#broken} in this JVM only (checked every 100 ms, logged once).
 */
public final class FlakyNode {
  public static final String BREAK_FILE = "break-flaky";

  private FlakyNode() {}

  public static void main(String[] args) {
    Thread watch = new Thread(() -> {
      // Waits for the file to be created in the working directory (the test writes it there).
      try (java.nio.file.WatchService ws = java.nio.file.FileSystems.getDefault().newWatchService()) {
        Path.of(".").register(ws, java.nio.file.StandardWatchEventKinds.ENTRY_CREATE);
        while (!Files.exists(Path.of(BREAK_FILE))) ws.take().reset();
      } catch (java.io.IOException | InterruptedException e) {
        return;
      }
      Flaky.broken = true;
      System.out.println("flaky: handler broken in this JVM");
    }, "flaky-watch");
    watch.setDaemon(true);
    watch.start();
    MachineRegistry registry = MachineRegistry.of(Account.TYPE, Flaky.TYPE);
    if (java.util.Arrays.asList(args).contains("--replica-monitor")) Main.monitor(registry);
    else Main.init(registry);
  }
}
