package dev.tessera.gateway;

/**
 * The request a gateway is asking about, as its door conveys it. Read lazily: with no route rules the
 * decision never looks at it, so the common case costs no header parsing.
 */
public interface OriginalRequest {
  /** Upper-case HTTP method, or null when the gateway did not say. */
  String method();

  /** Host without port, lower-case, or null when unknown. */
  String host();

  /** The path as the gateway sent it, query string allowed (it is ignored), or null when unknown. */
  String rawPath();
}
