package dev.tessera.token;

import java.time.Duration;
import java.util.UUID;

/** A started browser sign-in: the raw cookie value (shown once, to the browser) and its session. */
public record BrowserSession(String cookie, UUID sessionId, Duration lifetime) {
}
