package dev.tessera.http;

import dev.tessera.domain.Client;
import dev.tessera.domain.GrantType;
import dev.tessera.domain.RedirectUri;
import dev.tessera.domain.Scopes;
import dev.tessera.store.ClientStore;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A validated authorization request (RFC 6749 §4.1.1 + RFC 7636 §4.3). The client and its redirect URI
 * are checked first: until both are known good, every problem is an error page; after that, problems
 * are sent back to the client. {@code parameters} are the request's own values, which the sign-in form
 * carries as hidden fields and which its CSRF value is bound to.
 */
record AuthorizationRequest(Client client, String redirectUri, Optional<String> state, String codeChallenge,
                            Optional<Scopes> scope, Optional<String> prompt, Optional<String> deviceName,
                            Map<String, String> parameters) {
  /** The parameters Tessera reads; RFC 6749 §3.1 says to ignore any others. */
  static final List<String> NAMES = List.of("response_type", "client_id", "redirect_uri", "scope", "state",
      "code_challenge", "code_challenge_method", "prompt", "device_name");
  private static final Pattern CHALLENGE = Pattern.compile("[A-Za-z0-9_-]{43}");
  private static final int MAX_VALUE_LENGTH = 4096;

  static Future<AuthorizationRequest> read(MultiMap params, ClientStore clients, String issuer) {
    String clientId = single(params, "client_id");
    String redirectUri = single(params, "redirect_uri");
    if (clientId == null) {
      return Future.failedFuture(new SignInProblem(400, "The app did not say who it is (client_id is missing or repeated)."));
    }
    return clients.find(clientId).map(found -> {
      Client client = found.orElseThrow(() -> new SignInProblem(400, "This app is not registered with Tessera."));
      if (redirectUri == null || !RedirectUri.matches(client.redirectUris(), redirectUri, issuer)) {
        throw new SignInProblem(400, "This app asked to return to an address it has not registered (redirect_uri).");
      }
      return validate(client, redirectUri, params);
    });
  }

  private static AuthorizationRequest validate(Client client, String redirectUri, MultiMap params) {
    Map<String, String> values = new TreeMap<>();
    for (String name : NAMES) {
      if (params.getAll(name).size() > 1) {
        throw error(client, redirectUri, params, "invalid_request", "parameter " + name + " is repeated");
      }
      String value = params.get(name);
      if (value != null && !value.isEmpty()) {
        if (value.length() > MAX_VALUE_LENGTH) {
          throw error(client, redirectUri, params, "invalid_request", "parameter " + name + " is too long");
        }
        values.put(name, value);
      }
    }
    Optional<String> state = Optional.ofNullable(values.get("state"));
    AuthorizationRequest partial = new AuthorizationRequest(client, redirectUri, state, null, Optional.empty(),
        Optional.empty(), Optional.empty(), values);
    if (!"code".equals(values.get("response_type"))) {
      throw new AuthorizationError(partial, "unsupported_response_type", "only response_type=code is supported");
    }
    if (!client.allows(GrantType.AUTHORIZATION_CODE)) {
      throw new AuthorizationError(partial, "unauthorized_client", "client may not use the authorization_code grant");
    }
    // RFC 9700 §2.1.1: PKCE for every client; plain would hand the verifier to whoever sees the request.
    if (!"S256".equals(values.get("code_challenge_method"))) {
      throw new AuthorizationError(partial, "invalid_request", "PKCE with code_challenge_method=S256 is required");
    }
    String challenge = values.get("code_challenge");
    if (challenge == null || !CHALLENGE.matcher(challenge).matches()) {
      throw new AuthorizationError(partial, "invalid_request", "code_challenge must be 43 base64url characters (S256)");
    }
    Optional<Scopes> scope;
    try {
      scope = Optional.ofNullable(values.get("scope")).map(Scopes::parse);
    } catch (IllegalArgumentException e) {
      throw new AuthorizationError(partial, "invalid_scope", "scope is malformed");
    }
    if (scope.isPresent() && !client.scopes().containsAll(scope.get())) {
      throw new AuthorizationError(partial, "invalid_scope", "requested scope is not allowed for this client");
    }
    Optional<String> prompt = Optional.ofNullable(values.get("prompt"));
    if (prompt.isPresent() && !prompt.get().equals("login") && !prompt.get().equals("none")) {
      throw new AuthorizationError(partial, "invalid_request", "prompt must be login or none");
    }
    return new AuthorizationRequest(client, redirectUri, state, challenge, scope, prompt,
        Optional.ofNullable(values.get("device_name")), values);
  }

  private static AuthorizationError error(Client client, String redirectUri, MultiMap params, String error,
                                          String description) {
    String state = params.getAll("state").size() == 1 ? params.get("state") : null;
    return new AuthorizationError(new AuthorizationRequest(client, redirectUri, Optional.ofNullable(state), null,
        Optional.empty(), Optional.empty(), Optional.empty(), Map.of()), error, description);
  }

  /** The one value of a parameter, or null when it is absent, empty or repeated. */
  static String single(MultiMap params, String name) {
    List<String> all = params.getAll(name);
    return all.size() == 1 && !all.get(0).isEmpty() ? all.get(0) : null;
  }

  boolean forcesLogin() {
    return prompt.filter("login"::equals).isPresent();
  }

  boolean forbidsPage() {
    return prompt.filter("none"::equals).isPresent();
  }
}
