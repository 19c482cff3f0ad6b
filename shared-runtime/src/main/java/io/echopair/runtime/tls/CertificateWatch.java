package io.echopair.runtime.tls;

import io.echopair.runtime.Failures;
import io.echopair.runtime.config.ConfigException;
import io.echopair.runtime.config.ConfigFile;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews one side's TLS credentials while it runs: looks at its PEM files every scan period, and once they changed
 * and then stayed still for a scan (a renewal writes certificate and key one after the other), reads and checks them
 * and hands them over. A renewal that fails its checks or is refused keeps the credentials in use and is logged as
 * one ERROR until the files change again. A certificate that expires within {@link #WARN_DAYS} days is a WARN at
 * start and once a day.
 */
public final class CertificateWatch {

  private static final Logger LOG = LoggerFactory.getLogger(CertificateWatch.class);

  /** A certificate closer than this to its expiry is a daily WARN. */
  public static final int WARN_DAYS = 14;
  private static final long DAY_MS = TimeUnit.DAYS.toMillis(1);

  private final Vertx vertx;
  private final String side;
  private final Function<TlsCredentials, Future<?>> apply;
  private final long scanTimer;
  private final long expiryTimer;

  private TlsCredentials current;
  private List<Object> appliedStamps;
  private List<Object> lastSeen;
  private List<Object> refusedStamps;
  private boolean scanning;
  private boolean closed;

  private CertificateWatch(Vertx vertx, String side, TlsCredentials current, long scanPeriodMs,
                           Function<TlsCredentials, Future<?>> apply) {
    this.vertx = vertx;
    this.side = side;
    this.current = current;
    this.apply = apply;
    this.appliedStamps = stamps(current.files());
    this.lastSeen = appliedStamps;
    checkExpiry(Instant.now());
    this.scanTimer = vertx.setPeriodic(scanPeriodMs, id -> scan());
    this.expiryTimer = vertx.setPeriodic(DAY_MS, id -> checkExpiry(Instant.now()));
  }

  /**
   * Starts watching the files of {@code current} (on the caller's context).
   *
   * @param side  how lines name whose certificate it is: {@code server}, {@code sender}
   * @param apply puts renewed credentials to use; a failed future keeps the old ones
   */
  public static CertificateWatch start(Vertx vertx, String side, TlsCredentials current, long scanPeriodMs,
                                       Function<TlsCredentials, Future<?>> apply) {
    return new CertificateWatch(vertx, side, current, scanPeriodMs, apply);
  }

  /** The credentials in use. */
  public TlsCredentials current() {
    return current;
  }

  public void close() {
    closed = true;
    vertx.cancelTimer(scanTimer);
    vertx.cancelTimer(expiryTimer);
  }

  /** WARN when the certificate in use expires within {@link #WARN_DAYS} days, ERROR once it has expired. */
  void checkExpiry(Instant now) {
    if (!current.hasIdentity()) {
      return;
    }
    long days = current.daysLeft(now);
    if (current.notAfter().isBefore(now)) {
      LOG.error("TLS certificate of the {} has expired: {}; peers refuse it until it is renewed", side,
          current.describe());
    } else if (days < WARN_DAYS) {
      LOG.warn("TLS certificate of the {} expires in {} days: {}; renew it (the files are reloaded while running)",
          side, days, current.describe());
    }
  }

  private void scan() {
    if (scanning || closed) {
      return;
    }
    scanning = true;
    vertx.executeBlocking(() -> stamps(current.files()))
        .compose(this::considerChange)
        .onComplete(done -> scanning = false);
  }

  private Future<?> considerChange(List<Object> now) {
    List<Object> before = lastSeen;
    lastSeen = now;
    if (now.equals(appliedStamps) || now.equals(refusedStamps) || !now.equals(before)) {
      // Unchanged, already refused, or still being written: look again next scan
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> TlsCredentials.load(vertx, current.files()))
        .compose(renewed -> renewed.sameAs(current) ? Future.succeededFuture(current) : use(renewed))
        .onSuccess(used -> {
          appliedStamps = now;
          refusedStamps = null;
        })
        .onFailure(failure -> refuse(now, failure));
  }

  private Future<TlsCredentials> use(TlsCredentials renewed) {
    return apply.apply(renewed).map(applied -> {
      current = renewed;
      LOG.info("TLS certificate of the {} renewed: {}", side, renewed.describe());
      checkExpiry(Instant.now());
      return renewed;
    });
  }

  private void refuse(List<Object> stamps, Throwable failure) {
    refusedStamps = stamps;
    LOG.error("TLS certificate renewal of the {} ignored, still using {}: {}", side, current.describe(),
        Failures.message(failure));
  }

  /** What tells one version of the files from another: their size, time and identity, or why they cannot be seen. */
  private static List<Object> stamps(TlsFiles files) {
    List<Object> stamps = new ArrayList<>(3);
    for (PemFile file : files.all()) {
      try {
        stamps.add(ConfigFile.stamp(file.path(), file.origin()));
      } catch (IOException | ConfigException unseen) {
        stamps.add(file.origin() + ": " + (unseen instanceof IOException io ? ConfigFile.reason(io) : unseen.getMessage()));
      }
    }
    return stamps;
  }
}
