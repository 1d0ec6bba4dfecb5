package dev.tessera.testing;

import io.vertx.core.net.SelfSignedCertificate;

import java.util.Map;

/**
 * What admits a node to a test cluster: a cluster secret and an event-bus key pair whose self-signed
 * certificate is also the trusted CA, as one Kubernetes Secret mounted into every pod would be. Test nodes
 * share {@link #shared()}; {@link #stranger()} makes keys no cluster trusts.
 */
public final class ClusterKeys {
  private static ClusterKeys shared;

  private final String secret;
  private final SelfSignedCertificate certificate;

  private ClusterKeys(String secret, SelfSignedCertificate certificate) {
    this.secret = secret;
    this.certificate = certificate;
  }

  /** The keys every test node gets unless a test overrides them; generated once per test JVM. */
  public static synchronized ClusterKeys shared() {
    if (shared == null) {
      shared = new ClusterKeys("test-cluster-secret-0123456789abcdef", SelfSignedCertificate.create("tessera-cluster"));
    }
    return shared;
  }

  /** A fresh secret and key pair, trusted by nobody but itself. */
  public static ClusterKeys stranger() {
    return new ClusterKeys("stranger-secret-" + java.util.UUID.randomUUID(), SelfSignedCertificate.create("stranger"));
  }

  /** The same certificate as this, under another cluster secret. */
  public ClusterKeys withSecret(String otherSecret) {
    return new ClusterKeys(otherSecret, certificate);
  }

  /** The same secret as this, with another key pair and CA. */
  public ClusterKeys withCertificateOf(ClusterKeys other) {
    return new ClusterKeys(secret, other.certificate);
  }

  public Map<String, Object> overrides() {
    return Map.of(
        "TESSERA_CLUSTER_SECRET", secret,
        "TESSERA_CLUSTER_TLS_CERT", certificate.certificatePath(),
        "TESSERA_CLUSTER_TLS_KEY", certificate.privateKeyPath(),
        "TESSERA_CLUSTER_TLS_CA", certificate.certificatePath());
  }
}
