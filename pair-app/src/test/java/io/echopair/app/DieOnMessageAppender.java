package io.echopair.app;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;

/**
 * A console appender that throws {@link OutOfMemoryError} on the first line containing its {@code trigger}: the
 * failure an attacker caused in logback's writer thread, on demand (FatalErrorsIT's logback configurations).
 */
public final class DieOnMessageAppender extends ConsoleAppender<ILoggingEvent> {

  private String trigger;

  public void setTrigger(String trigger) {
    this.trigger = trigger;
  }

  @Override
  protected void append(ILoggingEvent event) {
    if (trigger != null && event.getFormattedMessage().contains(trigger)) {
      throw new OutOfMemoryError("test appender saw " + trigger);
    }
    super.append(event);
  }
}
