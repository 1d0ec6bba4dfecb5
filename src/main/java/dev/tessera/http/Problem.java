package dev.tessera.http;

import io.vertx.core.json.JsonObject;

/** An RFC 9457 problem detail for the admin API, raised in handlers and written by one failure handler. */
public final class Problem extends RuntimeException {
  private final int status;
  private final String title;

  public Problem(int status, String title, String detail) {
    super(detail, null, false, false);
    this.status = status;
    this.title = title;
  }

  public static Problem badRequest(String detail) {
    return new Problem(400, "Bad Request", detail);
  }

  public static Problem notFound(String detail) {
    return new Problem(404, "Not Found", detail);
  }

  public static Problem conflict(String detail) {
    return new Problem(409, "Conflict", detail);
  }

  public int status() {
    return status;
  }

  public JsonObject toJson() {
    return new JsonObject().put("type", "about:blank").put("title", title).put("status", status)
        .put("detail", getMessage());
  }
}
