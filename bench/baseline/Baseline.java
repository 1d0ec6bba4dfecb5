// Bare Vert.x baseline for bench/run.sh: the same HTTP shape as Tessera's hot endpoints with no work
// behind them. One verticle per event loop (INSTANCES), Vert.x core only (no vertx-web router).
//
//   POST /oauth2/introspect  parses the urlencoded form body (setExpectMultipart + formAttributes), reads
//                            the token and the Authorization header, answers a fixed JSON body
//   GET  /auth/verify        reads the Authorization header, answers 200 with fixed X-Auth-* headers
//
// usage: java -cp target/tessera.jar bench/baseline/Baseline.java PORT INSTANCES [BODY_FILE [HEADERS_FILE]]
//   BODY_FILE     the exact introspection answer to send (run.sh captures Tessera's own, so the sizes match);
//                 default: a built-in answer of the same shape (276 bytes)
//   HEADERS_FILE  "Name: value" lines for the verify answer (run.sh captures Tessera's X-Auth-* headers)
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

public class Baseline {
  static final String DEFAULT_BODY = "{\"active\":true,\"scope\":\"api.read api.write\",\"client_id\":\"bench-app\","
      + "\"username\":\"alice@example.com\",\"sub\":\"b2511712-334d-41d5-b23e-4833ca7854b2\",\"token_type\":\"Bearer\","
      + "\"exp\":1795614179,\"iat\":1795613279,\"jti\":\"911a3936-8d82-4daf-ba34-137a267d16e4\","
      + "\"iss\":\"http://localhost:18080\"}";

  static Buffer body;
  static final List<String[]> verifyHeaders = new ArrayList<>();
  static final CharSequence JSON = HttpHeaders.createOptimized("application/json;charset=UTF-8");
  static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int instances = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
    body = Buffer.buffer(args.length > 2 ? Files.readAllBytes(Path.of(args[2])) : DEFAULT_BODY.getBytes());
    if (args.length > 3) {
      for (String line : Files.readAllLines(Path.of(args[3]))) {
        int colon = line.indexOf(':');
        if (colon > 0) {
          verifyHeaders.add(new String[] {line.substring(0, colon).trim(), line.substring(colon + 1).trim()});
        }
      }
    } else {
      verifyHeaders.add(new String[] {"X-Auth-Subject", "b2511712-334d-41d5-b23e-4833ca7854b2"});
      verifyHeaders.add(new String[] {"X-Auth-Client-Id", "bench-app"});
      verifyHeaders.add(new String[] {"X-Auth-Scope", "api.read api.write"});
      verifyHeaders.add(new String[] {"X-Auth-Username", "alice@example.com"});
      verifyHeaders.add(new String[] {"Cache-Control", "private, max-age=1"});
    }
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Math.max(instances, 1)));
    vertx.deployVerticle(() -> new Server(port), new DeploymentOptions().setInstances(instances))
        .onSuccess(id -> System.out.println("baseline listening on port " + port + " (" + instances + " verticles, body "
            + body.length() + " bytes)"))
        .onFailure(e -> {
          e.printStackTrace();
          System.exit(1);
        });
  }

  static final class Server extends VerticleBase {
    private final int port;

    Server(int port) {
      this.port = port;
    }

    @Override
    public Future<?> start() {
      return vertx.createHttpServer(new HttpServerOptions().setPort(port).setCompressionSupported(false))
          .requestHandler(this::handle).listen();
    }

    private void handle(HttpServerRequest req) {
      String path = req.path();
      if (req.method() == HttpMethod.POST && "/oauth2/introspect".equals(path)) {
        req.setExpectMultipart(true);
        req.endHandler(v -> {
          String auth = req.getHeader(HttpHeaders.AUTHORIZATION);
          String token = req.formAttributes().get("token");
          if (auth == null || token == null) {
            req.response().setStatusCode(401).end();
            return;
          }
          req.response().putHeader(HttpHeaders.CONTENT_TYPE, JSON).putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE)
              .end(body);
        });
      } else if (req.method() == HttpMethod.GET && "/auth/verify".equals(path)) {
        String auth = req.getHeader(HttpHeaders.AUTHORIZATION);
        if (auth == null || !auth.startsWith("Bearer ")) {
          req.response().setStatusCode(401).end();
          return;
        }
        var response = req.response();
        for (String[] h : verifyHeaders) {
          response.putHeader(h[0], h[1]);
        }
        response.end();
      } else {
        req.response().setStatusCode(404).end();
      }
    }
  }
}
