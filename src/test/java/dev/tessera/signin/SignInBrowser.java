package dev.tessera.signin;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A browser without JavaScript, as the sign-in page must work for one: it keeps cookies, follows no
 * redirects (the test inspects each), and submits the page's form with its hidden fields unchanged.
 */
final class SignInBrowser implements AutoCloseable {
  private static final Pattern HIDDEN = Pattern.compile("<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\"");
  private static final Pattern SET_COOKIE = Pattern.compile("^([^=;]+)=([^;]*)");

  private final WebClient web;
  final Map<String, String> cookies = new LinkedHashMap<>();

  SignInBrowser(Vertx vertx, int port) {
    this(vertx, port, "SignInBrowser/1.0");
  }

  SignInBrowser(Vertx vertx, int port, String userAgent) {
    web = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
        .setFollowRedirects(false).setUserAgent(userAgent));
  }

  HttpResponse<Buffer> get(String pathAndQuery) {
    HttpRequest<Buffer> request = web.get(pathAndQuery);
    withCookies(request);
    return remember(request.send().await());
  }

  HttpResponse<Buffer> post(String path, Map<String, String> form) {
    MultiMap body = MultiMap.caseInsensitiveMultiMap();
    form.forEach(body::add);
    HttpRequest<Buffer> request = web.post(path);
    withCookies(request);
    return remember(request.sendForm(body).await());
  }

  /** Submits the sign-in form of {@code page} with the given credentials and every hidden field as it was. */
  HttpResponse<Buffer> signIn(HttpResponse<Buffer> page, String username, String password) {
    Map<String, String> form = hiddenFields(page.bodyAsString());
    form.put("username", username);
    form.put("password", password);
    return post("/oauth2/authorize", form);
  }

  static Map<String, String> hiddenFields(String html) {
    Map<String, String> fields = new LinkedHashMap<>();
    Matcher m = HIDDEN.matcher(html);
    while (m.find()) {
      fields.put(unescape(m.group(1)), unescape(m.group(2)));
    }
    return fields;
  }

  private static String unescape(String html) {
    return html.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">")
        .replace("&amp;", "&");
  }

  /** The query parameters of a redirect's Location. */
  static Map<String, String> query(String location) {
    Map<String, String> params = new LinkedHashMap<>();
    String query = URI.create(location).getRawQuery();
    if (query != null) {
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return params;
  }

  static String authorizePath(Map<String, String> params) {
    StringBuilder path = new StringBuilder("/oauth2/authorize?");
    params.forEach((k, v) -> path.append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=')
        .append(URLEncoder.encode(v, StandardCharsets.UTF_8)).append('&'));
    return path.substring(0, path.length() - 1);
  }

  static String verifier() {
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
  }

  static String challenge(String verifier) {
    try {
      return Base64.getUrlEncoder().withoutPadding().encodeToString(
          MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void withCookies(HttpRequest<Buffer> request) {
    if (!cookies.isEmpty()) {
      StringBuilder header = new StringBuilder();
      cookies.forEach((k, v) -> header.append(k).append('=').append(v).append("; "));
      request.putHeader("Cookie", header.toString());
    }
  }

  private HttpResponse<Buffer> remember(HttpResponse<Buffer> response) {
    for (String set : response.cookies()) {
      Matcher m = SET_COOKIE.matcher(set);
      if (m.find()) {
        if (m.group(2).isEmpty() || set.contains("Max-Age=0")) {
          cookies.remove(m.group(1));
        } else {
          cookies.put(m.group(1), m.group(2));
        }
      }
    }
    return response;
  }

  @Override
  public void close() {
    web.close();
  }
}
