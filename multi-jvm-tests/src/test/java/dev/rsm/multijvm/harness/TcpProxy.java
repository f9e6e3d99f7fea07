package dev.rsm.multijvm.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy in the test JVM between one node and a server, that can go silent: {@link #silence}
 * stops forwarding in both directions without closing anything (what a partition or a dropped
 * route looks like to the node: writes succeed, nothing comes back), {@link #restore} forwards
 * again, including what was held meanwhile. New connections are accepted while silent and reach
 * the server only once restored.
 */
public final class TcpProxy implements AutoCloseable {
  private final ServerSocket server;
  private final int targetPort;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private volatile boolean silent;
  private volatile boolean closed;

  public TcpProxy(int targetPort) {
    this.targetPort = targetPort;
    try {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Thread acceptor = new Thread(this::accept, "proxy-accept-" + port());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  public void silence() {
    silent = true;
  }

  public void restore() {
    silent = false;
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = server.accept();
        sockets.add(client);
        Thread t = new Thread(() -> connect(client), "proxy-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        if (!closed) throw new UncheckedIOException(e);
      }
    }
  }

  private void connect(Socket client) {
    awaitSpeech();
    try {
      Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
      sockets.add(upstream);
      pump(client, upstream);
      pump(upstream, client);
    } catch (IOException e) {
      closeQuietly(client);
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[16384];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          awaitSpeech(); // what was read while silent is held, then forwarded
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // one side closed: close both
      } finally {
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private void awaitSpeech() {
    while (silent && !closed) LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
  }

  private void closeQuietly(Socket s) {
    sockets.remove(s);
    try {
      s.close();
    } catch (IOException ignored) {
      // closed already
    }
  }

  @Override
  public void close() {
    closed = true;
    closeQuietly(new Socket());
    try {
      server.close();
    } catch (IOException ignored) {
      // closed already
    }
    for (Socket s : sockets) closeQuietly(s);
  }
}
