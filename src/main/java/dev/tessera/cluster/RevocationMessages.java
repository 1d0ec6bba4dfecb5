package dev.tessera.cluster;

import dev.tessera.domain.Revocation;
import dev.tessera.domain.RevocationReason;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The wire form of a revocation on the event bus. Plain JSON: no codec to register on every node, and
 * a node of another version can still read it. It carries session ids only — never tokens or hashes.
 */
final class RevocationMessages {
  static final String ADDRESS = "tessera.revocations";
  static final String ACK_PREFIX = "tessera.revocations.ack.";

  private RevocationMessages() {
  }

  /** @param wantsAcks whether the origin waits for acknowledgements (unless its timeout is zero, always) */
  static JsonObject encode(Revocation r, boolean wantsAcks) {
    JsonArray sessions = new JsonArray(new ArrayList<>(r.sessionIds().size()));
    r.sessionIds().forEach(id -> sessions.add(id.toString()));
    return new JsonObject()
        .put("seq", r.seq())
        .put("session_ids", sessions)
        .put("reason", r.reason().label())
        .put("revoked_at", r.revokedAt().toEpochMilli())
        .put("expires_at", r.expiresAt().getEpochSecond())
        .put("origin", r.origin())
        .put("client_id", r.clientId())
        .put("ack", wantsAcks);
  }

  static Revocation decode(JsonObject json) {
    JsonArray sessions = json.getJsonArray("session_ids");
    List<UUID> ids = new ArrayList<>(sessions.size());
    for (int i = 0; i < sessions.size(); i++) {
      ids.add(UUID.fromString(sessions.getString(i)));
    }
    return new Revocation(json.getLong("seq"), List.copyOf(ids), RevocationReason.fromLabel(json.getString("reason")),
        Instant.ofEpochMilli(json.getLong("revoked_at")), Instant.ofEpochSecond(json.getLong("expires_at")),
        json.getString("origin"), json.getString("client_id"));
  }

  static String ackAddress(String nodeId) {
    return ACK_PREFIX + nodeId;
  }
}
