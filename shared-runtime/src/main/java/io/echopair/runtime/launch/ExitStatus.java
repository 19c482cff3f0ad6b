package io.echopair.runtime.launch;

import io.vertx.launcher.application.ExitCodes;

/**
 * The exit statuses of the echopair jars (the table in docs/ARCHITECTURE.md).
 */
public final class ExitStatus {

  /** Ran and stopped normally (SIGTERM), and a sender got every frame it produced through. */
  public static final int OK = 0;
  /** An unexpected failure. */
  public static final int SOFTWARE = ExitCodes.SOFTWARE;
  /** A bad command line (unknown option). */
  public static final int USAGE = ExitCodes.USAGE;
  /** A sender finished ({@code count}) or was stopped (SIGTERM) with frames dropped or not acknowledged. */
  public static final int UNACKNOWLEDGED = 3;
  /** Vert.x could not start (e.g. the cluster could not be joined). */
  public static final int VERTX_INITIALIZATION = ExitCodes.VERTX_INITIALIZATION;
  /** A verticle failed to start (e.g. the port is in use). */
  public static final int DEPLOYMENT = ExitCodes.VERTX_DEPLOYMENT;
  /**
   * A fatal error (sysexits.h EX_SOFTWARE): an {@link OutOfMemoryError} or another {@link VirtualMachineError}, or the
   * log writer thread died; the process halted at once ({@link FatalErrors}).
   */
  public static final int FATAL = 70;
  /** Invalid configuration (sysexits.h EX_CONFIG): missing or malformed --conf file, unknown key, wrong value. */
  public static final int CONFIG = 78;

  private ExitStatus() {
  }
}
