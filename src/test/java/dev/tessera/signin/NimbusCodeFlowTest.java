package dev.tessera.signin;

import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationRequest;
import com.nimbusds.oauth2.sdk.AuthorizationResponse;
import com.nimbusds.oauth2.sdk.AuthorizationSuccessResponse;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenIntrospectionRequest;
import com.nimbusds.oauth2.sdk.TokenIntrospectionResponse;
import com.nimbusds.oauth2.sdk.TokenIntrospectionSuccessResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.as.AuthorizationServerMetadata;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import dev.tessera.testing.TestClient;
import dev.tessera.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Nimbus OAuth 2.0 SDK, as a client developer would use it, runs the whole flow against a real node:
 * discovery (RFC 8414), an authorization request with PKCE S256, the response parsed and checked for
 * state and iss (RFC 9207), the code exchange, a refresh, and introspection of the result.
 */
@ExtendWith(VertxExtension.class)
class NimbusCodeFlowTest {

  @Test
  void nimbusDiscoversSignsInWithPkceExchangesRefreshesAndIntrospects(Vertx vertx) throws Exception {
    int port = TestNode.freePort();
    String url = "http://127.0.0.1:" + port;
    try (TestNode node = TestNode.start(Map.of("TESSERA_HTTP_PORT", port, "TESSERA_ISSUER", url));
         TestClient http = new TestClient(vertx, port);
         SignInBrowser browser = new SignInBrowser(vertx, port)) {
      String admin = http.adminToken();
      AuthorizationCodeFlowTest.createCodeClient(http, admin, "nb-app", "read");
      String rsSecret = http.createResourceServer(admin, "nb-rs", "read").getString("client_secret");
      http.createUser(admin, "nb-user", "nb-password-1", "read");

      AuthorizationServerMetadata metadata = AuthorizationServerMetadata.resolve(new Issuer(url));
      assertThat(metadata.getCodeChallengeMethods()).containsExactly(CodeChallengeMethod.S256);
      assertThat(metadata.supportsAuthorizationResponseIssuerParam()).isTrue();

      ClientID client = new ClientID("nb-app");
      CodeVerifier verifier = new CodeVerifier();
      State state = new State();
      // A native app's loopback redirect on whatever port it got (RFC 8252 §7.3).
      URI callback = URI.create("http://127.0.0.1:53682/cb");
      URI authorize = new AuthorizationRequest.Builder(new ResponseType(ResponseType.Value.CODE), client)
          .endpointURI(metadata.getAuthorizationEndpointURI()).redirectionURI(callback).scope(new Scope("read"))
          .state(state).codeChallenge(verifier, CodeChallengeMethod.S256).build().toURI();

      HttpResponse<Buffer> page = browser.get(authorize.getRawPath() + "?" + authorize.getRawQuery());
      HttpResponse<Buffer> back = browser.signIn(page, "nb-user", "nb-password-1");
      assertThat(back.statusCode()).as(back.bodyAsString()).isEqualTo(303);

      AuthorizationResponse response = AuthorizationResponse.parse(URI.create(back.getHeader("Location")));
      assertThat(response.indicatesSuccess()).isTrue();
      AuthorizationSuccessResponse success = response.toSuccessResponse();
      assertThat(success.getState()).isEqualTo(state);
      assertThat(success.getIssuer()).isEqualTo(new Issuer(url));

      TokenResponse exchanged = TokenResponse.parse(new TokenRequest.Builder(metadata.getTokenEndpointURI(), client,
          new AuthorizationCodeGrant(success.getAuthorizationCode(), callback, verifier)).build().toHTTPRequest().send());
      assertThat(exchanged.indicatesSuccess()).as(String.valueOf(exchanged)).isTrue();
      AccessTokenResponse tokens = exchanged.toSuccessResponse();
      assertThat(tokens.getTokens().getBearerAccessToken()).isNotNull();
      assertThat(tokens.getTokens().getRefreshToken()).isNotNull();

      TokenResponse refreshed = TokenResponse.parse(new TokenRequest.Builder(metadata.getTokenEndpointURI(), client,
          new RefreshTokenGrant(tokens.getTokens().getRefreshToken())).build().toHTTPRequest().send());
      assertThat(refreshed.indicatesSuccess()).isTrue();

      TokenIntrospectionResponse introspection = TokenIntrospectionResponse.parse(new TokenIntrospectionRequest(
          metadata.getIntrospectionEndpointURI(), new ClientSecretBasic(new ClientID("nb-rs"), new Secret(rsSecret)),
          refreshed.toSuccessResponse().getTokens().getAccessToken()).toHTTPRequest().send());
      TokenIntrospectionSuccessResponse active = introspection.toSuccessResponse();
      assertThat(active.isActive()).isTrue();
      assertThat(active.getClientID()).isEqualTo(client);
      assertThat(active.getUsername()).isEqualTo("nb-user");
      assertThat(active.getScope()).isEqualTo(new Scope("read"));
    }
  }
}
