package io.echopair.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.echopair.runtime.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ClusterConfig")
class ClusterConfigTest {

  @AfterEach
  void clearProperty() {
    System.clearProperty(ClusterConfig.CONFIG_PROPERTY);
  }

  @Test
  @DisplayName("the jar's cluster.xml is conf/cluster.xml, byte for byte")
  void jarCopyIsTheShippedFile() throws IOException {
    try (InputStream copy = ClusterConfig.class.getClassLoader().getResourceAsStream(ClusterConfig.CLASSPATH_FILE)) {
      assertThat(copy).isNotNull();
      assertThat(copy.readAllBytes()).isEqualTo(Files.readAllBytes(Path.of("..", "conf", "cluster.xml")));
    }
  }

  @Test
  @DisplayName("the shipped configuration: TCP join on 127.0.0.1 only, no multicast or auto-detection, no phone-home, SLF4J logging, Vert.x's maps")
  void shippedConfiguration() {
    ClusterConfig shipped = ClusterConfig.builtIn();
    Config config = shipped.hazelcast();
    JoinConfig join = config.getNetworkConfig().getJoin();

    assertThat(shipped.clusterName()).isEqualTo("echopair");
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers()).containsExactly("127.0.0.1");
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
    assertThat(config.getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
    assertThat(config.getProperty("hazelcast.logging.type")).isEqualTo("slf4j");
    assertThat(System.getProperty("hazelcast.logging.type")).isEqualTo("slf4j");
    assertThat(shipped.maxJoinSeconds()).isEqualTo(20);
    assertThat(config.getMultiMapConfigs()).containsKey("__vertx.subs");
    assertThat(config.getMapConfigs()).containsKeys("__vertx.haInfo", "__vertx.nodeInfo");
  }

  @Test
  @DisplayName("-Dvertx.hazelcast.config names a file, or a class path resource with classpath:")
  void systemProperty() {
    System.setProperty(ClusterConfig.CONFIG_PROPERTY, "classpath:cluster.xml");
    assertThat(ClusterConfig.load().origin()).isEqualTo("-Dvertx.hazelcast.config=classpath:cluster.xml");

    System.setProperty(ClusterConfig.CONFIG_PROPERTY, "no/such/cluster.xml");
    assertThatThrownBy(ClusterConfig::load)
        .isInstanceOf(ConfigException.class)
        .hasMessage("-Dvertx.hazelcast.config=no/such/cluster.xml: no such file");
  }

  @Test
  @DisplayName("without the property and away from the project root, the jar's copy is used")
  void builtInWithoutConfFolder() {
    // The module's folder has no conf/cluster.xml
    assertThat(Files.exists(ClusterConfig.PROJECT_FILE)).isFalse();
    assertThat(ClusterConfig.load().origin()).isEqualTo("the built-in cluster.xml (a copy of conf/cluster.xml)");
  }
}
