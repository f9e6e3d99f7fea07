package dev.rsm.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time used so far by this JVM and by the embedded PostgreSQL server and its backends, so each
 * workload can say how much CPU one message costs and where. Server time is read from /proc and is
 * 0 where there is none (H2 runs inside the JVM; an external database; not Linux).
 */
final class CpuClock {
  private static final long TICK_NANOS = 10_000_000L; // USER_HZ = 100 on Linux

  private CpuClock() {}

  static long jvmNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os)
      return os.getProcessCpuTime();
    return 0;
  }

  static long dbNanos(Store store) {
    return store.serverProcesses().mapToLong(p -> {
      try {
        String stat = Files.readString(Path.of("/proc/" + p.pid() + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK_NANOS; // utime + stime
      } catch (Exception e) {
        return 0; // exited, or no /proc
      }
    }).sum();
  }
}
