package dev.rsm.multijvm.rogue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A stand-in for a deserialization "gadget": a class whose mere initialization does something (here,
 * harmless: it writes {@code gadget-initialized-<pid>} into the working directory of the JVM that
 * initializes it). {@code PeerSecurityTest} puts this one class file on a node's class path, names it
 * in a forged message, and checks that the node never initialized it.
 */
public final class Gadget {
  /** The marker file's name prefix. */
  public static final String MARKER_PREFIX = "gadget-initialized-";

  static {
    try {
      Files.writeString(Path.of(System.getProperty("user.dir"), MARKER_PREFIX + ProcessHandle.current().pid()),
          "initialized\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String command;

  public Gadget() {}

  public Gadget(String command) {
    this.command = command;
  }
}
