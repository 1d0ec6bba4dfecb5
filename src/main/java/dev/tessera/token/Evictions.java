package dev.tessera.token;

import dev.tessera.domain.Revocation;

import java.util.function.Consumer;

/**
 * Applies a revocation to this node's memory, wherever it came from (this node's own commit, the event
 * bus, the log): its sessions join the known revocations, and a client it names is forgotten by the
 * client cache, so a deleted client or a changed secret or right takes effect here too.
 */
public final class Evictions {
  private final RevokedSessions sessions;
  private final Consumer<String> forgetClient;

  public Evictions(RevokedSessions sessions, Consumer<String> forgetClient) {
    this.sessions = sessions;
    this.forgetClient = forgetClient;
  }

  /** Idempotent. @return whether any of its sessions was not known to be revoked before */
  public boolean apply(Revocation revocation) {
    if (revocation.clientId() != null) {
      forgetClient.accept(revocation.clientId());
    }
    return sessions.add(revocation);
  }

  public RevokedSessions sessions() {
    return sessions;
  }
}
