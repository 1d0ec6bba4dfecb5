package dev.tessera.store;

import dev.tessera.domain.Scopes;
import dev.tessera.domain.Session;
import dev.tessera.domain.TokenHash;
import dev.tessera.domain.TokenKind;
import dev.tessera.testing.TestNode;
import io.vertx.core.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * client_credentials sessions arriving together are stored together (one statement, one commit), and one
 * that cannot be stored fails alone, against the real database.
 */
class ClientSessionWriterTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static TestNode node;
  private static TokenStore store;

  @BeforeAll
  static void start() {
    node = TestNode.start();
    store = node.tessera().services().tokenStore();
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  private record Issue(Session session, NewToken token) {
  }

  private static Issue issue(UUID sessionId) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Scopes scopes = Scopes.parse("read write");
    byte[] hash = new byte[32];
    RANDOM.nextBytes(hash);
    return new Issue(new Session(sessionId, null, "cs-writer", "bench", scopes, now, null, now.plusSeconds(900)),
        new NewToken(new TokenHash(hash), UUID.randomUUID(), TokenKind.ACCESS, scopes, now, now.plusSeconds(900)));
  }

  private static Future<Boolean> write(Issue issue) {
    return store.createSession(issue.session(), null, List.of(issue.token()));
  }

  @Test
  void sessionsWrittenTogetherAreAllStoredAndOneThatCannotBeFailsAlone() throws Exception {
    Issue first = issue(UUID.randomUUID());
    List<Issue> together = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      together.add(issue(UUID.randomUUID()));
    }
    // Same session id as the first: its insert violates the primary key, inside whichever batch it lands.
    Issue duplicate = issue(first.session().id());

    List<Future<Boolean>> written = new ArrayList<>();
    written.add(write(first));
    together.forEach(i -> written.add(write(i)));
    Future<Boolean> refused = write(duplicate);
    for (Future<Boolean> f : written) {
      assertThat(f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(refused.toCompletionStage().toCompletableFuture().handle((ok, e) -> e).get(30, TimeUnit.SECONDS))
        .as("the duplicate session's issue fails").isNotNull();

    List<Issue> stored = new ArrayList<>(together);
    stored.add(first);
    for (Issue i : stored) {
      var found = store.findByHash(i.token().hash()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertThat(found).as("token of session " + i.session().id()).isPresent();
      assertThat(found.get().sessionId()).isEqualTo(i.session().id());
      assertThat(found.get().clientId()).isEqualTo("cs-writer");
      assertThat(found.get().scopes()).isEqualTo(Scopes.parse("read write"));
    }
    assertThat(store.findByHash(duplicate.token().hash()).toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS)).as("nothing of the refused issue is stored").isEmpty();
  }
}
