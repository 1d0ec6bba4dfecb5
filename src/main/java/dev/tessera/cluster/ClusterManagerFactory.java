package dev.tessera.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import dev.tessera.config.TesseraConfig;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;

/**
 * Builds the Hazelcast cluster manager from Tessera's configuration: TCP-IP join from a member list
 * (tests, bare metal) or Kubernetes discovery through a headless Service; never multicast, which
 * neither cloud networks nor CI sandboxes carry.
 */
public final class ClusterManagerFactory {
  private ClusterManagerFactory() {
  }

  public static HazelcastClusterManager create(TesseraConfig config) {
    // Starts from vertx-hazelcast's default, which holds the maps and multimap the event bus needs.
    Config hz = ConfigUtil.loadConfig();
    hz.setClusterName("tessera");
    String host = advertisedHost(config);
    hz.setProperty("hazelcast.logging.type", "slf4j");
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    hz.setProperty("hazelcast.shutdownhook.enabled", "false");
    hz.setProperty("hazelcast.local.localAddress", host);
    // A crashed node should stop counting as a member within seconds, not the default minute.
    hz.setProperty("hazelcast.max.no.heartbeat.seconds", "10");
    hz.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    NetworkConfig network = hz.getNetworkConfig();
    network.setPort(config.clusterPort()).setPortAutoIncrement(true);
    network.setPublicAddress(host);
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (config.clusterKubernetes()) {
      join.getTcpIpConfig().setEnabled(false);
      join.getKubernetesConfig().setEnabled(true).setProperty("service-dns", config.clusterServiceDns());
    } else {
      join.getTcpIpConfig().setEnabled(true).setMembers(config.clusterMembers().isEmpty()
          ? java.util.List.of(host) : config.clusterMembers());
    }
    return new HazelcastClusterManager(hz);
  }

  /** TESSERA_CLUSTER_HOST, else the first non-loopback IPv4 address, else loopback. */
  public static String advertisedHost(TesseraConfig config) {
    if (config.clusterHost().isPresent()) {
      return config.clusterHost().get();
    }
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nic.isUp() || nic.isLoopback()) {
          continue;
        }
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
            return address.getHostAddress();
          }
        }
      }
    } catch (SocketException e) {
      // fall through to loopback
    }
    return "127.0.0.1";
  }
}
