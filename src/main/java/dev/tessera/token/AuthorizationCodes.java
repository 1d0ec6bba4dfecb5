package dev.tessera.token;

import dev.tessera.domain.AuthorizationCode;
import dev.tessera.domain.Client;
import dev.tessera.domain.GrantType;
import dev.tessera.domain.RevocationReason;
import dev.tessera.domain.Scopes;
import dev.tessera.domain.TokenHash;
import dev.tessera.domain.User;
import dev.tessera.store.AuthorizationCodeStore;
import dev.tessera.store.UserStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.auth.prng.VertxContextPRNG;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The authorization code grant (RFC 6749 §4.1) with PKCE S256 (RFC 7636): codes are minted like tokens
 * (random, with the keyed check tag, stored hashed), live {@value #LIFETIME_SECONDS} seconds and are spent
 * once. Every refusal is the same {@code invalid_grant} a client sees for any bad code.
 */
public final class AuthorizationCodes {
  static final int LIFETIME_SECONDS = 60;
  /** RFC 7636 §4.1: 43 to 128 unreserved characters. */
  private static final Pattern VERIFIER = Pattern.compile("[A-Za-z0-9._~-]{43,128}");
  private static final String BAD_CODE = "authorization code is invalid, expired or already used";

  private final Vertx vertx;
  private final TokenCodec codec;
  private final AuthorizationCodeStore store;
  private final UserStore users;
  private final TokenIssuer issuer;
  private final Revoker revoker;
  private final Clock clock;

  public AuthorizationCodes(Vertx vertx, TokenCodec codec, AuthorizationCodeStore store, UserStore users,
                            TokenIssuer issuer, Revoker revoker, Clock clock) {
    this.vertx = vertx;
    this.codec = codec;
    this.store = store;
    this.users = users;
    this.issuer = issuer;
    this.revoker = revoker;
    this.clock = clock;
  }

  /** Mints a code for a signed-in user; the raw code goes only into the redirect to the client. */
  public Future<String> issue(Client client, String redirectUri, String codeChallenge, Scopes scopes, User user,
                              String device) {
    byte[] random = new byte[TokenCodec.RANDOM_BYTES];
    VertxContextPRNG.current(vertx).nextBytes(random);
    String code = codec.encode(random);
    Instant expires = clock.instant().plusSeconds(LIFETIME_SECONDS);
    return store.insert(new AuthorizationCode(TokenCodec.hash(code), client.clientId(), redirectUri, codeChallenge,
        scopes, user.id(), device, expires, null, null)).map(v -> code);
  }

  /**
   * Exchanges a code at the token endpoint. The session is created before the code is spent, and the spend
   * records it, so a replay — even one racing the first exchange — always finds a session to revoke.
   */
  public Future<IssuedTokens> exchange(Client client, String code, String redirectUri, String verifier) {
    Optional<TokenHash> hash = codec.parse(code);
    if (hash.isEmpty()) {
      return rejected(BAD_CODE);
    }
    return store.find(hash.get()).compose(found -> {
      if (found.isEmpty()) {
        return rejected(BAD_CODE);
      }
      AuthorizationCode issued = found.get();
      if (issued.used()) {
        return revokeReplay(issued, Optional.empty());
      }
      if (!issued.expiresAt().isAfter(clock.instant())) {
        return rejected(BAD_CODE);
      }
      if (!issued.clientId().equals(client.clientId())) {
        return rejected("authorization code was issued to another client");
      }
      if (!issued.redirectUri().equals(redirectUri)) {
        return rejected("redirect_uri does not match the authorization request");
      }
      if (verifier == null || !VERIFIER.matcher(verifier).matches()
          || !MessageDigest.isEqual(s256(verifier), issued.codeChallenge().getBytes(StandardCharsets.US_ASCII))) {
        return rejected("code_verifier does not match the code_challenge");
      }
      return users.findById(issued.userId()).compose(user -> {
        if (user.isEmpty() || user.get().disabled()) {
          return rejected(BAD_CODE);
        }
        return issuer.issue(GrantType.AUTHORIZATION_CODE, user.get(), client, issued.scopes(), issued.device())
            .compose(tokens -> store.spend(hash.get(), tokens.sessionId(), clock.instant()).compose(spent -> spent
                ? Future.succeededFuture(tokens)
                : store.find(hash.get()).compose(now -> revokeReplay(now.orElse(issued), Optional.of(tokens.sessionId())))));
      });
    });
  }

  /** RFC 6749 §4.1.2 / RFC 9700 §4.5: a code seen twice was stolen, so what it bought is revoked. */
  private Future<IssuedTokens> revokeReplay(AuthorizationCode code, Optional<UUID> alsoRevoke) {
    List<UUID> sessions = new ArrayList<>();
    if (code.sessionId() != null) {
      sessions.add(code.sessionId());
    }
    alsoRevoke.ifPresent(sessions::add);
    Future<?> revoked = sessions.isEmpty() ? Future.succeededFuture()
        : revoker.revokeSessions(sessions, RevocationReason.REUSE);
    return revoked.compose(v -> rejected("authorization code was already used; the tokens issued for it have been revoked"));
  }

  private static <T> Future<T> rejected(String why) {
    return Future.failedFuture(new GrantRejected(why));
  }

  /** RFC 7636 §4.2: BASE64URL(SHA256(ASCII(code_verifier))), unpadded. */
  static byte[] s256(String verifier) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encode(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
