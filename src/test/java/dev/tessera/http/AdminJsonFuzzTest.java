package dev.tessera.http;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RequestBody;
import io.vertx.ext.web.RoutingContext;

import java.lang.reflect.Proxy;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Admin API binding: whatever bytes arrive, {@link AdminJson} either yields the typed fields a handler
 * reads or refuses with a 400 problem, before anything is written. Any other exception would be a 500.
 * The fuzz target binds the fields exactly as the create-user, update-user and create-client handlers do.
 *
 * <p>AdminJson reads only the Content-Type header and the body from its RoutingContext, so a proxy
 * answering those two calls stands in for a live request; every other call fails loudly.
 */
class AdminJsonFuzzTest {
  private static final String[] CONTENT_TYPES = {"application/json", "application/json; charset=utf-8",
      "APPLICATION/JSON", "text/plain", "application/x-www-form-urlencoded", ""};

  @FuzzTest
  @DictionaryEntries({"{", "}", "[", "]", "\"username\"", "\"password\"", "\"scopes\"", "\"disabled\"",
      "\"client_id\"", "\"name\"", "\"confidential\"", "\"grant_types\"", "\"introspect\"", "\"client_secret\"",
      "true", "false", "null", "\"password\"", "\"client_credentials\"", "\"refresh_token\"", "1e400", "\\u0000"})
  void anyBodyIsBoundOrRefusedWithA400Problem(FuzzedDataProvider data) {
    int shape = data.consumeInt(0, 2);
    String contentType = data.pickValue(CONTENT_TYPES);
    byte[] body = data.consumeRemainingAsBytes();
    RoutingContext ctx = request(contentType.isEmpty() ? null : contentType, Buffer.buffer(body));
    try {
      switch (shape) {
        case 0 -> bindCreateUser(ctx);
        case 1 -> bindUpdateUser(ctx);
        default -> bindCreateClient(ctx);
      }
    } catch (Problem refused) {
      assertThat(refused.status()).isEqualTo(400);
      assertThat(refused.toJson().getString("detail")).isNotBlank().hasSizeLessThan(400);
    }
  }

  private static void bindCreateUser(RoutingContext ctx) {
    AdminJson body = AdminJson.of(ctx, Set.of("username", "password", "scopes"));
    body.string("username", 1, 254);
    body.string("password", 8, 1024);
    if (body.has("scopes")) {
      body.scopes("scopes");
    }
  }

  private static void bindUpdateUser(RoutingContext ctx) {
    AdminJson body = AdminJson.of(ctx, Set.of("password", "scopes", "disabled"));
    if (body.has("password")) {
      body.string("password", 8, 1024);
    }
    if (body.has("scopes")) {
      body.scopes("scopes");
    }
    if (body.has("disabled")) {
      body.bool("disabled");
    }
  }

  private static void bindCreateClient(RoutingContext ctx) {
    AdminJson body = AdminJson.of(ctx, Set.of("client_id", "name", "confidential", "grant_types", "scopes",
        "introspect", "client_secret"));
    body.string("client_id", 1, 100);
    if (body.has("name")) {
      body.string("name", 1, 200);
    }
    body.bool("confidential");
    body.strings("grant_types");
    if (body.has("scopes")) {
      body.scopes("scopes");
    }
    if (body.has("introspect")) {
      body.bool("introspect");
    }
    if (body.has("client_secret")) {
      body.string("client_secret", 16, 512);
    }
  }

  private static RoutingContext request(String contentType, Buffer body) {
    HttpServerRequest request = proxy(HttpServerRequest.class, (method, args) -> switch (method) {
      case "getHeader" -> "content-type".equalsIgnoreCase(String.valueOf(args[0])) ? contentType : null;
      default -> throw new UnsupportedOperationException("AdminJson is not expected to call request." + method);
    });
    RequestBody requestBody = proxy(RequestBody.class, (method, args) -> switch (method) {
      case "buffer" -> body;
      default -> throw new UnsupportedOperationException("AdminJson is not expected to call body." + method);
    });
    return proxy(RoutingContext.class, (method, args) -> switch (method) {
      case "request" -> request;
      case "body" -> requestBody;
      default -> throw new UnsupportedOperationException("AdminJson is not expected to call ctx." + method);
    });
  }

  private interface Answer {
    Object answer(String method, Object[] args);
  }

  private static <T> T proxy(Class<T> type, Answer answer) {
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
        (self, method, args) -> answer.answer(method.getName(), args)));
  }
}
