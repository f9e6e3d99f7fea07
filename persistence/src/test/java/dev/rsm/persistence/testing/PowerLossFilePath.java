package dev.rsm.persistence.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.h2.store.fs.FileBase;
import org.h2.store.fs.FilePath;
import org.h2.store.fs.FilePathWrapper;

/**
 * An H2 file system ({@code jdbc:h2:powerloss:/dir/db}) that knows which bytes of each database
 * file ({@code *.mv.db}) a power loss would take with it: everything written since the file was
 * last forced to disk ({@link FileChannel#force}). The writes reach the real file as usual; each
 * keeps an undo record (the bytes it overwrote) until the next force drops them. {@link
 * Disk#imageAfterPowerLoss} writes the file as the disk would hold it if the power went now: the
 * current content with every unforced write undone, cut to its size at the last force.
 *
 * <p>This is the worst case the operating system allows (it may also have written some unforced
 * pages, in any order); a step that is in this image was on the disk.
 */
public final class PowerLossFilePath extends FilePathWrapper {
  public static final String SCHEME = "powerloss";

  /** Per database file (by its real path): survives H2 closing and reopening the file. */
  private static final Map<String, Disk> DISKS = new ConcurrentHashMap<>();

  /** Makes the {@code powerloss:} prefix known to H2 (again: idempotent). */
  public static void register() {
    FilePath.register(new PowerLossFilePath());
  }

  /** The disk state of the database file {@code file} (e.g. {@code /dir/rsm.mv.db}). */
  public static Disk disk(Path file) {
    Disk d = DISKS.get(file.toAbsolutePath().toString());
    if (d == null) throw new IllegalStateException("no database file " + file + " was opened through " + SCHEME + ":");
    return d;
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public FileChannel open(String mode) throws IOException {
    FilePath base = getBase();
    FileChannel channel = base.open(mode);
    if (!base.getName().endsWith(".mv.db") || mode.equals("r")) return channel;
    Path real = Path.of(base.toString().startsWith("file:") ? base.toString().substring(5) : base.toString());
    Disk disk = DISKS.computeIfAbsent(real.toAbsolutePath().toString(), k -> new Disk(real, sizeOf(channel)));
    return new Channel(channel, disk);
  }

  private static long sizeOf(FileChannel channel) {
    try {
      return channel.size();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What is on the disk for one file: its size at the last force and the writes since then. */
  public static final class Disk {
    private final Path file;
    private long forcedSize;
    private final List<Undo> unforced = new ArrayList<>();
    private int forces;

    Disk(Path file, long sizeWhenFirstOpened) {
      this.file = file;
      this.forcedSize = sizeWhenFirstOpened; // what was there before counts as on the disk
    }

    /** How many times the file was forced to disk. */
    public synchronized int forces() {
      return forces;
    }

    /** How many writes since the last force a power loss would undo. */
    public synchronized int unforcedWrites() {
      return unforced.size();
    }

    /**
     * Writes to {@code target} the file as a power loss now would leave it, atomically with
     * respect to the writes and forces of the running database.
     */
    public synchronized void imageAfterPowerLoss(Path target) throws IOException {
      byte[] now = Files.exists(file) ? Files.readAllBytes(file) : new byte[0];
      byte[] image = Arrays.copyOf(now, (int) Math.max(now.length, forcedSize));
      for (int i = unforced.size() - 1; i >= 0; i--) {
        Undo u = unforced.get(i);
        if (u.position + u.before.length > image.length) image = Arrays.copyOf(image, (int) u.position + u.before.length);
        System.arraycopy(u.before, 0, image, (int) u.position, u.before.length);
      }
      Files.write(target, Arrays.copyOf(image, (int) forcedSize));
    }

    private record Undo(long position, byte[] before) {}
  }

  /** The database's channel: every write records what it overwrites; a force forgets that. */
  private static final class Channel extends FileBase {
    private final FileChannel base;
    private final Disk disk;

    Channel(FileChannel base, Disk disk) {
      this.base = base;
      this.disk = disk;
    }

    private void recordOverwrite(long position, int length) throws IOException {
      long size = base.size();
      int known = (int) Math.max(0, Math.min(length, size - position));
      ByteBuffer before = ByteBuffer.allocate(known);
      while (before.hasRemaining() && base.read(before, position + before.position()) > 0) {
        // read all of it
      }
      disk.unforced.add(new Disk.Undo(position, before.array()));
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      synchronized (disk) {
        recordOverwrite(position, src.remaining());
        return base.write(src, position);
      }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      synchronized (disk) {
        recordOverwrite(base.position(), src.remaining());
        return base.write(src);
      }
    }

    @Override
    public FileChannel truncate(long newLength) throws IOException {
      synchronized (disk) {
        long size = base.size();
        if (newLength < size) recordOverwrite(newLength, (int) (size - newLength));
        base.truncate(newLength);
        return this;
      }
    }

    @Override
    public void force(boolean metaData) throws IOException {
      synchronized (disk) {
        base.force(metaData);
        disk.unforced.clear();
        disk.forcedSize = base.size();
        disk.forces++;
      }
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return base.read(dst, position);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return base.read(dst);
    }

    @Override
    public long position() throws IOException {
      return base.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      base.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return base.size();
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return base.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      base.close();
    }
  }
}
