package dev.tessera.token;

/** The result of a revocation request: how many sessions it ended and how it propagated. */
public record RevocationOutcome(int revoked, Propagation propagation) {
}
