package io.echopair.runtime.config;

import io.echopair.runtime.Failures;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;

/**
 * The rules every configuration file is read by (--conf, --options, live reload): a regular file, or a link to one,
 * of at most {@link #MAX_BYTES}, in UTF-8. Its type and size are checked before it is opened, because opening a FIFO
 * blocks, and no more than {@code MAX_BYTES + 1} bytes are ever read, so a file that grows is refused too.
 */
public final class ConfigFile {

  /** The largest configuration file accepted: 1 MiB, a thousand times the shipped ones. */
  public static final int MAX_BYTES = 1024 * 1024;

  /** The file types a {@code unix:mode} can name besides a regular file (sys/stat.h S_IFMT). */
  private static final int TYPE_BITS = 0170000;
  private static final int DIRECTORY = 0040000;
  private static final int CHARACTER_DEVICE = 0020000;
  private static final int BLOCK_DEVICE = 0060000;
  private static final int FIFO = 0010000;
  private static final int SOCKET = 0140000;

  /**
   * What tells one version of a file from another without reading it.
   *
   * @param fileKey the file's identity (device and inode on Unix): a file replaced by a rename is another file
   */
  public record Stamp(long size, FileTime modified, Object fileKey) {
  }

  private ConfigFile() {
  }

  /**
   * Checks and reads a configuration file before Vert.x starts.
   *
   * @param origin how the error line names the file, e.g. {@code --conf conf/x.json}
   * @throws ConfigException {@code <origin>: not a regular file (a FIFO)}, {@code <origin>: 104857600 bytes; a
   *                         configuration file may be at most 1048576 bytes}, {@code <origin>: cannot be read
   *                         (permission denied)}, {@code <origin>: not UTF-8 text}
   */
  public static String readText(Path file, String origin) {
    try {
      stamp(file, origin);
      return read(file, origin);
    } catch (IOException e) {
      throw new ConfigException(origin + ": cannot be read (" + reason(e) + ")");
    }
  }

  /**
   * Looks at the file without opening it.
   *
   * @throws ConfigException when it is not a regular file or is too large
   * @throws IOException     when it cannot be looked at (missing, permission denied...)
   */
  public static Stamp stamp(Path file, String origin) throws IOException {
    BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
    if (!attributes.isRegularFile()) {
      throw new ConfigException(origin + ": not a regular file (" + typeOf(file, attributes) + ")");
    }
    if (attributes.size() > MAX_BYTES) {
      throw tooLarge(origin, attributes.size() + " bytes");
    }
    return new Stamp(attributes.size(), attributes.lastModifiedTime(), attributes.fileKey());
  }

  /**
   * Reads the text of a file that {@link #stamp} accepted; it may have changed since.
   *
   * @throws ConfigException when it has grown past the limit or is not UTF-8
   * @throws IOException     when it cannot be read
   */
  static String read(Path file, String origin) throws IOException {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_BYTES + 1);
    }
    if (bytes.length > MAX_BYTES) {
      throw tooLarge(origin, "more than " + MAX_BYTES + " bytes");
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException notUtf8) {
      throw new ConfigException(origin + ": not UTF-8 text");
    }
  }

  /** What went wrong, as the operating system says it: {@code no such file}, {@code Too many open files}. */
  public static String reason(IOException failure) {
    if (failure instanceof NoSuchFileException) {
      return "no such file";
    }
    if (failure instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (failure instanceof FileSystemException fileSystem && fileSystem.getReason() != null) {
      return fileSystem.getReason();
    }
    return Failures.message(failure);
  }

  private static ConfigException tooLarge(String origin, String size) {
    return new ConfigException(origin + ": " + size + "; a configuration file may be at most " + MAX_BYTES + " bytes");
  }

  private static String typeOf(Path file, BasicFileAttributes attributes) {
    if (attributes.isDirectory()) {
      return "a directory";
    }
    try {
      // Only Unix file systems tell a device from a FIFO or a socket
      return switch ((Integer) Files.getAttribute(file, "unix:mode") & TYPE_BITS) {
        case CHARACTER_DEVICE -> "a character device";
        case BLOCK_DEVICE -> "a block device";
        case FIFO -> "a FIFO";
        case SOCKET -> "a socket";
        case DIRECTORY -> "a directory";
        default -> "a special file";
      };
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException unknown) {
      return "a special file";
    }
  }
}
