package dev.tessera.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import dev.tessera.config.TesseraConfig;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Collections;
import java.util.HexFormat;

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
    hz.setClusterName(clusterName(security(config).secret()));
    String host = advertisedHost(config);
    hz.setProperty("hazelcast.logging.type", "slf4j");
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    hz.setProperty("hazelcast.shutdownhook.enabled", "false");
    hz.setProperty("hazelcast.local.localAddress", host);
    // Listen on the advertised address only, not on every interface of the machine.
    hz.setProperty("hazelcast.socket.bind.any", "false");
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

  /**
   * The clustered event bus: bound to the advertised address on TESSERA_CLUSTER_BUS_PORT (fixed in
   * Kubernetes, so a NetworkPolicy can name it), speaking TLS with client certificates required both ways.
   * A peer without a key whose certificate the cluster CA signed can neither deliver nor receive a
   * message; no hostname is checked, as pod addresses change and the CA is private to the cluster.
   */
  public static void configureEventBus(TesseraConfig config, EventBusOptions bus) {
    String host = advertisedHost(config);
    TesseraConfig.ClusterSecurity security = security(config);
    bus.setHost(host).setClusterPublicHost(host).setPort(config.clusterBusPort())
        .setSsl(true)
        .setClientAuth(ClientAuth.REQUIRED)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(security.certPath()).setKeyPath(security.keyPath()))
        .setTrustOptions(new PemTrustOptions().addCertPath(security.caPath()));
  }

  /**
   * Hazelcast open source has no member authentication; its cluster name is the only admission check.
   * A name derived from the secret keeps nodes of other deployments and strangers out without putting
   * the secret itself on the wire (the name travels in clear in join requests: see the README on what
   * that leaves open).
   */
  static String clusterName(String secret) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] digest = mac.doFinal("tessera hazelcast cluster name".getBytes(StandardCharsets.UTF_8));
      return "tessera-" + HexFormat.of().formatHex(digest, 0, 16);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
    }
  }

  private static TesseraConfig.ClusterSecurity security(TesseraConfig config) {
    return config.clusterSecurity().orElseThrow(() -> new IllegalStateException("clustering without cluster security"));
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
