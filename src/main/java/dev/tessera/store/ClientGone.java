package dev.tessera.store;

/**
 * A session was to be started for a client that no longer exists: it was deleted after this node
 * authenticated it. Nothing was stored; the caller answers as for an unknown client.
 */
public final class ClientGone extends RuntimeException {
  public ClientGone() {
    super("the client no longer exists", null, false, false);
  }
}
