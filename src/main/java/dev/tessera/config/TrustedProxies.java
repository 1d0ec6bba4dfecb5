package dev.tessera.config;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * TESSERA_TRUSTED_PROXIES: the peers (CIDR blocks) whose {@code Forwarded} / {@code X-Forwarded-For}
 * headers are believed. Matching is Netty's {@link IpSubnetFilterRule}; addresses are parsed as IP
 * literals only ({@link NetUtil}), never resolved through DNS.
 */
public final class TrustedProxies {
  private static final TrustedProxies NONE = new TrustedProxies(List.of(), List.of());

  private final List<IpSubnetFilterRule> rules;
  private final List<String> cidrs;

  private TrustedProxies(List<IpSubnetFilterRule> rules, List<String> cidrs) {
    this.rules = rules;
    this.cidrs = cidrs;
  }

  public static TrustedProxies none() {
    return NONE;
  }

  /** A comma list of CIDRs ({@code 10.0.0.0/8, fd00::/8}); a bare address means just that address. */
  public static TrustedProxies parse(String list) {
    List<IpSubnetFilterRule> rules = new ArrayList<>();
    List<String> cidrs = new ArrayList<>();
    for (String entry : Arrays.stream(list.split(",")).map(String::trim).filter(e -> !e.isEmpty()).toList()) {
      int slash = entry.indexOf('/');
      String host = slash < 0 ? entry : entry.substring(0, slash);
      InetAddress address = NetUtil.createInetAddressFromIpAddressString(host);
      if (address == null) {
        throw new IllegalArgumentException("not an IP address or CIDR block: " + entry);
      }
      int bits = address.getAddress().length * 8;
      int prefix;
      try {
        prefix = slash < 0 ? bits : Integer.parseInt(entry.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not a CIDR prefix length: " + entry);
      }
      if (prefix < 0 || prefix > bits) {
        throw new IllegalArgumentException("prefix length must be 0 to " + bits + ": " + entry);
      }
      rules.add(new IpSubnetFilterRule(address, prefix, IpFilterRuleType.ACCEPT));
      cidrs.add(NetUtil.toAddressString(address) + "/" + prefix);
    }
    return rules.isEmpty() ? NONE : new TrustedProxies(List.copyOf(rules), List.copyOf(cidrs));
  }

  public boolean contains(InetAddress address) {
    if (rules.isEmpty()) {
      return false;
    }
    InetSocketAddress socket = new InetSocketAddress(address, 0);
    return rules.stream().anyMatch(rule -> rule.matches(socket));
  }

  public boolean isEmpty() {
    return rules.isEmpty();
  }

  @Override
  public String toString() {
    return String.join(",", cidrs);
  }
}
