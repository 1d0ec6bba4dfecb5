package dev.tessera.lifecycle;

import dev.tessera.testing.TestClient;
import dev.tessera.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Slowloris: clients that send a request one byte at a time, or open connections and stall, are cut at
 * the request deadline and bounded in number, while real traffic keeps its answers (issue 15).
 */
@ExtendWith(VertxExtension.class)
class SlowClientTest {
  private static final Duration DEADLINE = Duration.ofSeconds(2);
  private static final int PER_ADDRESS = 10;
  private static final String HEAD = "POST /oauth2/introspect HTTP/1.1\r\nHost: localhost\r\n"
      + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 40\r\n\r\n";

  private static TestNode node;
  private static Vertx vertx;
  private static TestClient http;
  private static String secret;
  private static String token;
  private static final ExecutorService tricklers = Executors.newCachedThreadPool();

  @BeforeAll
  static void start() {
    node = TestNode.start(Map.of("TESSERA_REQUEST_DEADLINE", DEADLINE.toString(),
        "TESSERA_MAX_CONNECTIONS_PER_ADDRESS", PER_ADDRESS));
    vertx = Vertx.vertx();
    http = new TestClient(vertx, node.port());
    String admin = http.adminToken();
    http.createPublicClient(admin, "mobile", "read");
    secret = http.createResourceServer(admin, "gateway", "read").getString("client_secret");
    http.createUser(admin, "sloane@example.com", "user-password", "read");
    token = http.login("mobile", "sloane@example.com", "user-password", "Pixel").getString("access_token");
  }

  @AfterAll
  static void stop() {
    tricklers.shutdownNow();
    http.close();
    vertx.close().await();
    node.close();
  }

  @Test
  void aClientTricklingItsRequestHeadIsAnswered408AtTheDeadlineWhileIntrospectionKeepsAnswering() throws Exception {
    try (Socket slow = connect("127.0.0.1")) {
      long opened = System.nanoTime();
      CompletableFuture<Void> trickle = trickle(slow, HEAD);
      // Far more requests than the deadline would allow if the trickler held anything up.
      for (int i = 0; i < 20; i++) {
        assertThat(http.introspect("gateway", secret, token).getBoolean("active")).isTrue();
      }
      String answer = readUntilClosed(slow, Duration.ofSeconds(30));
      long tookMillis = (System.nanoTime() - opened) / 1_000_000;

      assertThat(answer).startsWith("HTTP/1.1 408 ").contains("Connection: close");
      assertThat(tookMillis).isGreaterThanOrEqualTo(DEADLINE.toMillis() - 100).isLessThan(DEADLINE.toMillis() + 10_000);
      trickle.cancel(true);
    }
  }

  @Test
  void aClientTricklingItsBodyIsCutAtTheDeadlineToo() throws Exception {
    try (Socket slow = connect("127.0.0.1")) {
      OutputStream out = slow.getOutputStream();
      out.write(HEAD.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      trickle(slow, "token=" + "x".repeat(34));

      assertThat(readUntilClosed(slow, Duration.ofSeconds(30))).startsWith("HTTP/1.1 408 ");
    }
  }

  @Test
  void anIdleKeepAliveConnectionOutlivesTheDeadlineAndServesItsNextRequest() throws Exception {
    try (Socket client = connect("127.0.0.1")) {
      String request = "GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n";
      client.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      assertThat(readResponseHead(client)).startsWith("HTTP/1.1 200 ");
      // Idle between requests is the idle timeout's business, not the request deadline's: wait past it.
      Thread.sleep(DEADLINE.toMillis() * 2);
      client.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      assertThat(readResponseHead(client)).startsWith("HTTP/1.1 200 ");
    }
  }

  @Test
  void stalledConnectionsFromOneAddressAreBoundedAndOtherAddressesAreServed() throws Exception {
    List<Socket> stalled = new ArrayList<>();
    try {
      for (int i = 0; i < PER_ADDRESS * 2; i++) {
        Socket s = connect("127.0.0.2");
        stalled.add(s);
        s.getOutputStream().write("POST /oauth2/introspect HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      int refused = 0;
      for (Socket s : stalled) {
        // Refused connections are closed at once; admitted ones are held until the deadline.
        if (closedWithin(s, DEADLINE.dividedBy(4))) {
          refused++;
        }
      }
      for (int i = 0; i < 10; i++) {
        assertThat(http.introspect("gateway", secret, token).getBoolean("active")).isTrue();
      }
      assertThat(refused).isEqualTo(PER_ADDRESS);
    } finally {
      for (Socket s : stalled) {
        s.close();
      }
    }
  }

  private static Socket connect(String localAddress) throws IOException {
    Socket socket = new Socket();
    socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
    socket.connect(new InetSocketAddress("127.0.0.1", node.port()), 5000);
    return socket;
  }

  /** Sends {@code text} one byte every 100 ms, far faster than any idle timeout, until done or cut off. */
  private static CompletableFuture<Void> trickle(Socket socket, String text) {
    return CompletableFuture.runAsync(() -> {
      try {
        OutputStream out = socket.getOutputStream();
        for (byte b : text.getBytes(StandardCharsets.US_ASCII)) {
          out.write(b);
          out.flush();
          Thread.sleep(100);
        }
      } catch (IOException e) {
        // Cut off by the server: what the test expects.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, tricklers);
  }

  /** Everything the server sends until it closes the connection, or what came within {@code bound}. */
  private static String readUntilClosed(Socket socket, Duration bound) throws IOException {
    socket.setSoTimeout((int) bound.toMillis());
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[1024];
    try {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        received.write(buffer, 0, n);
      }
    } catch (SocketTimeoutException e) {
      // Still open after the bound: whatever arrived so far is the answer.
    } catch (IOException e) {
      // Reset after the answer: the answer still counts.
    }
    return received.toString(StandardCharsets.US_ASCII);
  }

  private static boolean closedWithin(Socket socket, Duration bound) throws IOException {
    socket.setSoTimeout((int) bound.toMillis());
    try {
      return socket.getInputStream().read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  private static String readResponseHead(Socket socket) {
    try {
      socket.setSoTimeout(10_000);
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      InputStream in = socket.getInputStream();
      while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          break;
        }
        head.write(b);
      }
      String text = head.toString(StandardCharsets.US_ASCII);
      int length = text.lines().filter(l -> l.toLowerCase().startsWith("content-length:"))
          .map(l -> Integer.parseInt(l.substring(15).trim())).findFirst().orElse(0);
      in.readNBytes(length);
      return text;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
