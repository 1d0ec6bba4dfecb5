package dev.tessera.http;

import dev.tessera.domain.Client;
import dev.tessera.domain.GrantType;
import dev.tessera.domain.RedirectUri;
import dev.tessera.domain.Scopes;
import dev.tessera.domain.Session;
import dev.tessera.domain.User;
import dev.tessera.token.Propagation;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Strict binding of admin API JSON: the body must be an object with only the known fields, each of the
 * right type; anything else is a 400 problem naming the field, before anything is written.
 */
final class AdminJson {
  private final JsonObject body;

  private AdminJson(JsonObject body) {
    this.body = body;
  }

  static AdminJson of(RoutingContext ctx, Set<String> allowed) {
    String type = ctx.request().getHeader("Content-Type");
    if (type == null || !type.toLowerCase().startsWith("application/json")) {
      throw Problem.badRequest("content type must be application/json");
    }
    JsonObject body;
    try {
      Object parsed = ctx.body().buffer() == null ? null : io.vertx.core.json.Json.decodeValue(ctx.body().buffer());
      if (!(parsed instanceof JsonObject object)) {
        throw Problem.badRequest("body must be a JSON object");
      }
      body = object;
    } catch (DecodeException e) {
      throw Problem.badRequest("body is not valid JSON");
    }
    for (String field : body.fieldNames()) {
      if (!allowed.contains(field)) {
        throw Problem.badRequest("unknown field \"" + (field.length() > 40 ? field.substring(0, 40) : field)
            + "\"; allowed: " + String.join(", ", allowed.stream().sorted().toList()));
      }
    }
    return new AdminJson(body);
  }

  boolean has(String field) {
    return body.containsKey(field) && body.getValue(field) != null;
  }

  String string(String field, int min, int max) {
    Object value = body.getValue(field);
    if (!(value instanceof String s)) {
      throw Problem.badRequest("\"" + field + "\" must be a string");
    }
    if (s.length() < min || s.length() > max) {
      throw Problem.badRequest("\"" + field + "\" must be " + min + " to " + max + " characters");
    }
    return s;
  }

  boolean bool(String field) {
    Object value = body.getValue(field);
    if (!(value instanceof Boolean b)) {
      throw Problem.badRequest("\"" + field + "\" must be true or false");
    }
    return b;
  }

  List<String> strings(String field) {
    Object value = body.getValue(field);
    if (!(value instanceof JsonArray array)) {
      throw Problem.badRequest("\"" + field + "\" must be an array of strings");
    }
    List<String> values = new ArrayList<>();
    for (Object item : array) {
      if (!(item instanceof String s)) {
        throw Problem.badRequest("\"" + field + "\" must be an array of strings");
      }
      values.add(s);
    }
    return values;
  }

  Scopes scopes(String field) {
    try {
      return Scopes.of(strings(field));
    } catch (IllegalArgumentException e) {
      throw Problem.badRequest("\"" + field + "\": " + e.getMessage());
    }
  }

  /** Redirect URIs under the rules of {@link RedirectUri}, each refused with the reason. */
  List<String> redirectUris(String field) {
    List<String> uris = strings(field);
    if (uris.size() > 20) {
      throw Problem.badRequest("\"" + field + "\" may hold at most 20 URIs");
    }
    for (String uri : uris) {
      RedirectUri.registrationProblem(uri).ifPresent(problem -> {
        throw Problem.badRequest("\"" + field + "\": each URI " + problem);
      });
    }
    return uris.stream().distinct().toList();
  }

  static JsonObject user(User u) {
    return new JsonObject().put("id", u.id().toString()).put("username", u.username())
        .put("scopes", new JsonArray(u.scopes().values())).put("disabled", u.disabled())
        .put("created_at", text(u.createdAt()));
  }

  static JsonObject client(Client c) {
    return new JsonObject().put("client_id", c.clientId()).put("name", c.name()).put("confidential", c.confidential())
        .put("grant_types", new JsonArray(c.grantTypes().stream().map(GrantType::wireName).sorted().toList()))
        .put("scopes", new JsonArray(c.scopes().values())).put("introspect", c.introspect())
        .put("redirect_uris", new JsonArray(c.redirectUris()))
        .put("created_at", text(c.createdAt()));
  }

  static JsonObject session(Session s) {
    return new JsonObject().put("id", s.id().toString()).put("client_id", s.clientId()).put("device", s.device())
        .put("scopes", new JsonArray(s.scopes().values())).put("created_at", text(s.createdAt()))
        .put("last_used_at", text(s.lastUsedAt())).put("expires_at", text(s.expiresAt()));
  }

  static JsonObject propagation(Propagation p) {
    return new JsonObject().put("nodes", p.nodes()).put("acked", p.acked())
        .put("ms", Math.round(p.ms() * 10) / 10.0).put("missing", new JsonArray(p.missing()));
  }

  static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
