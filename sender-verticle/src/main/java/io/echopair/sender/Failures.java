package io.echopair.sender;

/** How the sender's log lines say why a connect or a connection failed. */
final class Failures {

  private Failures() {
  }

  /** The TLS failure explained ({@link SenderTls#describeFailure}), else the error's message, else its class. */
  static String describe(Throwable error, SenderConfig config, String target) {
    String refused = config.usesTls() ? config.tls().describeFailure(error, target) : null;
    if (refused != null) {
      return refused;
    }
    String message = error.getMessage();
    return message == null || message.isBlank() ? error.getClass().getSimpleName() : message;
  }
}
