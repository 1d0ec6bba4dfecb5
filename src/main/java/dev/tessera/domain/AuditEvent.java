package dev.tessera.domain;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.UUID;

/** A security-relevant event. Never carries a token, password or client secret. */
public record AuditEvent(long id, Instant at, String event, UUID userId, String username, String clientId,
                         String ip, JsonObject detail) {

  public static AuditEvent of(String event, UUID userId, String username, String clientId, String ip,
                              JsonObject detail) {
    return new AuditEvent(0, null, event, userId, username, clientId, ip, detail == null ? new JsonObject() : detail);
  }
}
