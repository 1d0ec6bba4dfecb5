package dev.tessera.http;

import dev.tessera.config.TrustedProxies;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which address a request stands for: only trusted proxies may name it, and only the right-most untrusted hop counts. */
class ClientAddressTest {
  private static final TrustedProxies PROXIES = TrustedProxies.parse("10.0.0.0/8, 192.168.1.1, fd00::/8");

  private static String xff(String peer, String... lines) {
    return ClientAddress.resolve(peer, List.of(), List.of(lines), PROXIES);
  }

  private static String forwarded(String peer, String... lines) {
    return ClientAddress.resolve(peer, List.of(lines), List.of(), PROXIES);
  }

  @Test
  void headersFromAnUntrustedPeerAreIgnored() {
    assertThat(xff("203.0.113.5", "198.51.100.1")).isEqualTo("203.0.113.5");
    assertThat(forwarded("203.0.113.5", "for=198.51.100.1")).isEqualTo("203.0.113.5");
  }

  @Test
  void aTrustedPeerNamesTheRightMostUntrustedHop() {
    // The client wrote "1.1.1.1" itself; the proxy appended the address it saw.
    assertThat(xff("10.0.0.7", "1.1.1.1, 198.51.100.1")).isEqualTo("198.51.100.1");
    assertThat(xff("10.0.0.7", "1.1.1.1, 198.51.100.1, 10.1.2.3")).isEqualTo("198.51.100.1");
    assertThat(xff("10.0.0.7", "1.1.1.1", "198.51.100.1, 192.168.1.1")).isEqualTo("198.51.100.1");
  }

  @Test
  void aTrustedPeerWithoutHeadersIsItself() {
    assertThat(xff("10.0.0.7")).isEqualTo("10.0.0.7");
  }

  @Test
  void forwardedNodesMayBeQuotedWithPortsAndIpv6() {
    assertThat(forwarded("10.0.0.7", "for=192.0.2.60;proto=http;by=203.0.113.43")).isEqualTo("192.0.2.60");
    assertThat(forwarded("10.0.0.7", "for=1.1.1.1, For=\"[2001:db8:cafe::17]:4711\"")).isEqualTo("2001:db8:cafe::17");
    assertThat(forwarded("10.0.0.7", "for=\"192.0.2.43:47011\"")).isEqualTo("192.0.2.43");
    assertThat(forwarded("fd00::1", "for=192.0.2.43, for=\"[fd00::2]\"")).isEqualTo("192.0.2.43");
  }

  @Test
  void forwardedWinsOverXForwardedFor() {
    assertThat(ClientAddress.resolve("10.0.0.7", List.of("for=192.0.2.1"), List.of("192.0.2.2"), PROXIES))
        .isEqualTo("192.0.2.1");
  }

  @Test
  void aHopThatIsNotAnAddressStopsTheWalkAtTheLastTrustedProxy() {
    assertThat(forwarded("10.0.0.7", "for=192.0.2.1, for=unknown")).isEqualTo("10.0.0.7");
    assertThat(forwarded("10.0.0.7", "for=192.0.2.1, for=_hidden, for=10.0.0.9")).isEqualTo("10.0.0.9");
    assertThat(forwarded("10.0.0.7", "proto=https")).isEqualTo("10.0.0.7");
    assertThat(xff("10.0.0.7", "192.0.2.1, example.com")).isEqualTo("10.0.0.7");
  }

  @Test
  void aQuoteOpenedByTheClientCannotSwallowTheProxysHop() {
    assertThat(forwarded("10.0.0.7", "for=\"1.1.1.1, for=198.51.100.1")).isEqualTo("198.51.100.1");
  }

  @Test
  void trustedProxiesAreCidrBlocksOfIpLiterals() {
    assertThat(TrustedProxies.parse("").isEmpty()).isTrue();
    assertThat(TrustedProxies.parse("10.0.0.0/8,::1").toString()).isEqualTo("10.0.0.0/8,::1/128");
    assertThatThrownBy(() -> TrustedProxies.parse("proxy.example.com")).hasMessageContaining("proxy.example.com");
    assertThatThrownBy(() -> TrustedProxies.parse("10.0.0.0/33")).hasMessageContaining("0 to 32");
    assertThatThrownBy(() -> TrustedProxies.parse("10.0.0.0/x")).hasMessageContaining("prefix");
  }
}
