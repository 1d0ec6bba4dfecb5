package dev.tessera;

import dev.tessera.auth.ClientAuthenticator;
import dev.tessera.auth.ClientRateLimiter;
import dev.tessera.auth.PasswordHasher;
import dev.tessera.auth.UserAuthenticator;
import dev.tessera.config.TesseraConfig;
import dev.tessera.gateway.Gatekeeper;
import dev.tessera.metrics.TesseraMetrics;
import dev.tessera.store.AuditStore;
import dev.tessera.store.ClientStore;
import dev.tessera.store.TokenStore;
import dev.tessera.store.UserStore;
import dev.tessera.token.ClientRevocation;
import dev.tessera.token.Freshness;
import dev.tessera.token.Revoker;
import dev.tessera.token.SignInServices;
import dev.tessera.token.TokenIssuer;
import dev.tessera.token.TokenVerifier;
import io.vertx.ext.healthchecks.HealthChecks;

/** The node's shared, thread-safe services, built once and handed to every HTTP verticle instance. */
public record Services(
    TesseraConfig config,
    TokenVerifier verifier,
    Gatekeeper gatekeeper,
    TokenIssuer issuer,
    ClientRevocation clientRevocation,
    Revoker revoker,
    UserAuthenticator users,
    ClientAuthenticator clients,
    ClientRateLimiter tokenRate,
    PasswordHasher hasher,
    UserStore userStore,
    ClientStore clientStore,
    TokenStore tokenStore,
    AuditStore audit,
    Freshness freshness,
    TesseraMetrics metrics,
    HealthChecks readiness,
    SignInServices signIn) {
}
