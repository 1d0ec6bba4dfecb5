package dev.tessera.token;

/**
 * What the hosted sign-in (authorization code + PKCE) needs beyond the other grants: the codes, the
 * browser sessions behind the single sign-on cookie, and the key that binds each sign-in form to its
 * pending authorization request (the same on every node, derived from the token secret).
 */
public record SignInServices(AuthorizationCodes codes, BrowserSessions browserSessions, byte[] formKey) {
}
