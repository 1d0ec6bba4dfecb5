// HTTP helpers shared by the benchmark drivers bench/propagation/Driver.java and bench/soak/Soak.java.
//
// The drivers are single-file source programs (java -cp ... Driver.java), and a single-file launch cannot
// compile a second source file, so this class is compiled on its own by bench/lib/cluster.sh
// (cluster_compile_helpers: javac -d "$WORK/classes") and that directory is put on the drivers' classpath:
//
//   javac -cp tessera.jar -d classes bench/lib/BenchHttp.java
//   java -cp tessera.jar:classes bench/soak/Soak.java key=value ...
//
// The drivers `import static benchlib.BenchHttp.*` and call init(http, nodes) once their HttpClient exists; the
// node index in every call is the position in that node list (0-based).
package benchlib;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

public final class BenchHttp {
  private static volatile HttpClient http;
  private static volatile List<String> nodes;

  private BenchHttp() {
  }

  /** The client and the node base URLs (http://host:port) every helper below uses. */
  public static void init(HttpClient client, List<String> nodeUrls) {
    http = client;
    nodes = List.copyOf(nodeUrls);
  }

  public static HttpResponse<String> post(int node, String path, String auth, String body, String type)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(nodes.get(node) + path))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", type)
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (auth != null) {
      b.header("Authorization", auth);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  public static JsonObject form(int node, String path, String auth, Map<String, String> fields, int expect) throws Exception {
    HttpResponse<String> resp = post(node, path, auth, encode(fields), "application/x-www-form-urlencoded");
    if (resp.statusCode() != expect) {
      throw new IllegalStateException("POST " + path + " on node " + (node + 1) + " -> " + resp.statusCode() + " " + resp.body());
    }
    return new JsonObject(resp.body());
  }

  public static JsonObject json(int node, String path, String auth, JsonObject body, int expect) throws Exception {
    HttpResponse<String> resp = post(node, path, auth, body.encode(), "application/json");
    if (resp.statusCode() != expect) {
      throw new IllegalStateException("POST " + path + " on node " + (node + 1) + " -> " + resp.statusCode() + " " + resp.body());
    }
    return new JsonObject(resp.body());
  }

  public static String encode(Map<String, String> fields) {
    StringBuilder sb = new StringBuilder();
    fields.forEach((k, v) -> {
      if (sb.length() > 0) {
        sb.append('&');
      }
      sb.append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8));
    });
    return sb.toString();
  }
}
