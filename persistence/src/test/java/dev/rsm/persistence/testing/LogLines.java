package dev.rsm.persistence.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Every log event of this JVM while open, for tests that assert what was reported. */
public final class LogLines implements AutoCloseable {
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

  public LogLines() {
    appender.start();
    root.addAppender(appender);
  }

  /** The formatted messages logged at {@code level} so far that contain every one of {@code parts}. */
  public List<String> at(Level level, String... parts) {
    List<ILoggingEvent> events;
    synchronized (appender) { // appending holds this lock too
      events = List.copyOf(appender.list);
    }
    return events.stream()
        .filter(e -> e.getLevel() == level)
        .map(ILoggingEvent::getFormattedMessage)
        .filter(m -> java.util.Arrays.stream(parts).allMatch(m::contains))
        .toList();
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
  }
}
