package dev.tessera.http;

import com.google.rpc.Code;
import com.google.rpc.Status;
import dev.tessera.domain.Scopes;
import dev.tessera.gateway.Decision;
import dev.tessera.gateway.Gatekeeper;
import dev.tessera.gateway.OriginalRequest;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption.HeaderAppendAction;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.envoyproxy.envoy.service.auth.v3.DeniedHttpResponse;
import io.envoyproxy.envoy.service.auth.v3.OkHttpResponse;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import io.envoyproxy.envoy.type.v3.StatusCode;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The gRPC door: Envoy's {@code envoy.service.auth.v3.Authorization/Check} (Envoy gRPC ext_authz, Istio
 * {@code envoyExtAuthzGrpc}, Envoy Gateway), served on the HTTP port over HTTP/2 (cleartext with prior
 * knowledge, or TLS with ALPN). The original request is {@code attributes.request.http}; the answer is
 * {@link OkHttpResponse} with the identity headers overwriting the client's, or
 * {@link DeniedHttpResponse} with 401/403/503 and a {@code WWW-Authenticate} challenge.
 */
final class ExtAuthzGrpc {
  static final ServiceMethod<CheckRequest, CheckResponse> CHECK = ServiceMethod.server(
      ServiceName.create("envoy.service.auth.v3", "Authorization"), "Check",
      GrpcMessageEncoder.encoder(), GrpcMessageDecoder.decoder(CheckRequest.newBuilder()));
  /** Per-route required scopes, set by the gateway ({@code check_settings.context_extensions}). */
  static final String SCOPE_EXTENSION = "scope";

  private final Gatekeeper gatekeeper;
  private final GrpcServer grpc;

  ExtAuthzGrpc(Vertx vertx, Gatekeeper gatekeeper) {
    this.gatekeeper = gatekeeper;
    this.grpc = GrpcServer.server(vertx).callHandler(CHECK, this::check);
  }

  /** gRPC requests go to the Check service; everything else to {@code next}. */
  Handler<HttpServerRequest> before(Handler<HttpServerRequest> next) {
    return request -> {
      String type = request.getHeader("content-type");
      if (type != null && type.startsWith("application/grpc")) {
        grpc.handle(request);
      } else {
        next.handle(request);
      }
    };
  }

  private void check(GrpcServerRequest<CheckRequest, CheckResponse> call) {
    call.handler(request -> {
      AttributeContext.HttpRequest http = request.getAttributes().getRequest().getHttp();
      Scopes required;
      try {
        required = Scopes.parse(request.getAttributes().getContextExtensionsOrDefault(SCOPE_EXTENSION, null));
      } catch (IllegalArgumentException e) {
        call.response().status(GrpcStatus.INVALID_ARGUMENT)
            .statusMessage("context_extensions scope is not a valid scope list").end();
        return;
      }
      gatekeeper.decide(original(http), header(http, "authorization"), required)
          .onSuccess(d -> call.response().end(answer(d)));
    });
  }

  private static OriginalRequest original(AttributeContext.HttpRequest http) {
    return new OriginalRequest() {
      @Override
      public String method() {
        return http.getMethod().isEmpty() ? null : http.getMethod().toUpperCase(Locale.ROOT);
      }

      @Override
      public String host() {
        return http.getHost().isEmpty() ? null : OriginalRequests.hostName(http.getHost());
      }

      @Override
      public String rawPath() {
        return http.getPath().isEmpty() ? null : http.getPath();
      }
    };
  }

  /** Envoy sends lower-case header names, in {@code headers}, or in {@code header_map} with encode_raw_headers. */
  private static String header(AttributeContext.HttpRequest http, String name) {
    String value = http.getHeadersOrDefault(name, null);
    if (value != null || !http.hasHeaderMap()) {
      return value;
    }
    for (HeaderValue h : http.getHeaderMap().getHeadersList()) {
      if (h.getKey().equalsIgnoreCase(name)) {
        return h.getRawValue().isEmpty() ? h.getValue() : h.getRawValue().toString(StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  static CheckResponse answer(Decision d) {
    return switch (d.outcome()) {
      case ALLOW -> {
        OkHttpResponse.Builder ok = OkHttpResponse.newBuilder();
        d.identity((name, value) -> {
          if (value.isEmpty()) {
            // No value: remove whatever the client sent under this name rather than pass it on.
            ok.addHeadersToRemove(name);
          } else {
            ok.addHeaders(HeaderValueOption.newBuilder()
                .setHeader(HeaderValue.newBuilder().setKey(name).setValue(value))
                .setAppendAction(HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD));
          }
        });
        yield CheckResponse.newBuilder().setStatus(status(Code.OK)).setOkResponse(ok).build();
      }
      case NO_TOKEN, INVALID_TOKEN -> denied(Code.UNAUTHENTICATED, StatusCode.Unauthorized,
          VerifyRoute.challenge(d.outcome()));
      case INSUFFICIENT_SCOPE -> denied(Code.PERMISSION_DENIED, StatusCode.Forbidden,
          VerifyRoute.insufficientScope(d.required()));
      case DENIED -> denied(Code.PERMISSION_DENIED, StatusCode.Forbidden, null);
      case UNAVAILABLE -> CheckResponse.newBuilder().setStatus(status(Code.UNAVAILABLE))
          .setDeniedResponse(DeniedHttpResponse.newBuilder()
              .setStatus(HttpStatus.newBuilder().setCode(StatusCode.ServiceUnavailable))
              .addHeaders(header("Retry-After", "1")).addHeaders(header("Cache-Control", Responses.NO_STORE.toString())))
          .build();
    };
  }

  private static CheckResponse denied(Code code, StatusCode http, String challenge) {
    DeniedHttpResponse.Builder denied = DeniedHttpResponse.newBuilder().setStatus(HttpStatus.newBuilder().setCode(http));
    if (challenge != null) {
      denied.addHeaders(header("WWW-Authenticate", challenge));
    }
    return CheckResponse.newBuilder().setStatus(status(code)).setDeniedResponse(denied).build();
  }

  private static HeaderValueOption header(String name, String value) {
    return HeaderValueOption.newBuilder().setHeader(HeaderValue.newBuilder().setKey(name).setValue(value))
        .setAppendAction(HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD).build();
  }

  private static Status status(Code code) {
    return Status.newBuilder().setCode(code.getNumber()).build();
  }
}
