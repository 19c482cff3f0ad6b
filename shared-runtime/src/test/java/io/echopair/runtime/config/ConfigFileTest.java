package io.echopair.runtime.config;

import io.echopair.runtime.testing.HostileFiles;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

@DisplayName("ConfigFile")
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConfigFileTest {

  @TempDir
  Path dir;

  @Test
  @DisplayName("reads a regular file, and a file through a symbolic link")
  void regularFile() throws IOException {
    Path file = Files.writeString(dir.resolve("x.json"), "{\"port\": 7000}");
    Path link = Files.createSymbolicLink(dir.resolve("link.json"), file);

    assertThat(ConfigFile.readText(file, "--conf x.json")).isEqualTo("{\"port\": 7000}");
    assertThat(ConfigFile.readText(link, "--conf link.json")).isEqualTo("{\"port\": 7000}");
  }

  @Test
  @DisplayName("refuses a directory, a character device and a FIFO, without opening them")
  void notRegular() throws Exception {
    Path fifo = HostileFiles.fifo(dir.resolve("fifo.json"));

    assertThatThrownBy(() -> ConfigFile.readText(dir, "--conf dir")).isInstanceOf(ConfigException.class)
        .hasMessage("--conf dir: not a regular file (a directory)");
    // Opening the FIFO would block this test until the timeout
    assertThatThrownBy(() -> ConfigFile.readText(fifo, "--conf fifo.json"))
        .hasMessage("--conf fifo.json: not a regular file (a FIFO)");
    assumeThat(Path.of("/dev/zero")).exists();
    assertThatThrownBy(() -> ConfigFile.readText(Path.of("/dev/zero"), "--conf /dev/zero"))
        .hasMessage("--conf /dev/zero: not a regular file (a character device)");
  }

  @Test
  @DisplayName("refuses a file larger than MAX_BYTES by its size, and reads at most MAX_BYTES + 1 bytes of one")
  void tooLarge() throws IOException {
    Path big = HostileFiles.sparse(dir.resolve("big.json"), 100L * 1024 * 1024);
    Path justOver = HostileFiles.sparse(dir.resolve("over.json"), ConfigFile.MAX_BYTES + 1);
    Path atLimit = HostileFiles.sparse(dir.resolve("limit.json"), ConfigFile.MAX_BYTES);

    assertThatThrownBy(() -> ConfigFile.readText(big, "--conf big.json"))
        .hasMessage("--conf big.json: 104857600 bytes; a configuration file may be at most 1048576 bytes");
    assertThatThrownBy(() -> ConfigFile.readText(justOver, "--conf over.json"))
        .hasMessage("--conf over.json: 1048577 bytes; a configuration file may be at most 1048576 bytes");
    assertThat(ConfigFile.readText(atLimit, "--conf limit.json")).hasSize(ConfigFile.MAX_BYTES);
    // As if the file had grown between the look at its size and the read
    assertThatThrownBy(() -> ConfigFile.read(justOver, "--conf over.json"))
        .hasMessage("--conf over.json: more than 1048576 bytes; a configuration file may be at most 1048576 bytes");
  }

  @Test
  @DisplayName("refuses bytes that are not UTF-8, and names what the operating system says when it cannot read")
  void unreadable() throws IOException {
    Path latin1 = Files.write(dir.resolve("latin1.json"), new byte[] {'{', '"', (byte) 0xE9, '"', ':', '1', '}'});

    assertThatThrownBy(() -> ConfigFile.readText(latin1, "--conf latin1.json")).hasMessage("--conf latin1.json: not UTF-8 text");
    assertThatThrownBy(() -> ConfigFile.readText(dir.resolve("gone.json"), "--conf gone.json"))
        .hasMessage("--conf gone.json: cannot be read (no such file)");
    assertThat(ConfigFile.reason(new NoSuchFileException("x.json"))).isEqualTo("no such file");
    assertThat(ConfigFile.reason(new FileSystemException("x.json", null, "Too many open files")))
        .isEqualTo("Too many open files");
  }

  @Test
  @DisplayName("stamps a file by size, modification time and identity, so that a rename over it is a change")
  void stamps() throws IOException {
    Path file = Files.writeString(dir.resolve("x.json"), "{}");
    ConfigFile.Stamp first = ConfigFile.stamp(file, "x.json");
    Path other = Files.writeString(dir.resolve("other.json"), "{}");
    Files.setLastModifiedTime(other, first.modified());

    assertThat(ConfigFile.stamp(file, "x.json")).isEqualTo(first);
    Files.move(other, file, StandardCopyOption.REPLACE_EXISTING);
    assertThat(ConfigFile.stamp(file, "x.json")).isNotEqualTo(first)
        .satisfies(renamed -> assertThat(renamed.size()).isEqualTo(first.size()))
        .satisfies(renamed -> assertThat(renamed.modified()).isEqualTo(first.modified()));
  }
}
