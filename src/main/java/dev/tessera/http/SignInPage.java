package dev.tessera.http;

import org.thymeleaf.TemplateEngine;
import org.thymeleaf.context.Context;
import org.thymeleaf.templatemode.TemplateMode;
import org.thymeleaf.templateresolver.ClassLoaderTemplateResolver;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders the hosted sign-in and error pages with Thymeleaf, which escapes every value it writes, so a
 * reflected parameter can never become markup. Templates are parsed once ({@link #warm()}, off the event
 * loop) and cached; rendering is then pure CPU.
 */
final class SignInPage {
  static final String PRODUCT = "Tessera";

  private final TemplateEngine engine = new TemplateEngine();

  SignInPage() {
    ClassLoaderTemplateResolver resolver = new ClassLoaderTemplateResolver(SignInPage.class.getClassLoader());
    resolver.setPrefix("templates/");
    resolver.setSuffix(".html");
    resolver.setTemplateMode(TemplateMode.HTML);
    resolver.setCharacterEncoding("UTF-8");
    resolver.setCacheable(true);
    engine.setTemplateResolver(resolver);
  }

  /** Loads and parses the templates (classpath reads): call where blocking is allowed. */
  void warm() {
    signIn("", Map.of(), null, null);
    error("", "");
    signedOut();
  }

  String signIn(String clientName, Map<String, String> hidden, String username, String error) {
    List<Map<String, String>> fields = new ArrayList<>();
    hidden.forEach((name, value) -> fields.add(Map.of("name", name, "value", value)));
    Context context = context();
    context.setVariable("clientName", clientName);
    context.setVariable("hidden", fields);
    context.setVariable("username", username);
    context.setVariable("error", error);
    return engine.process("signin", context);
  }

  String error(String title, String message) {
    Context context = context();
    context.setVariable("title", title);
    context.setVariable("message", message);
    return engine.process("error", context);
  }

  String signedOut() {
    return engine.process("signed-out", context());
  }

  /**
   * A strict policy: nothing but our stylesheet, no scripts, never inside a frame. Chromium applies
   * form-action to the redirect that follows the POST, so the client's redirect origin is allowed too.
   */
  static String contentSecurityPolicy(String redirectUri) {
    return "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'; "
        + "form-action 'self'" + (redirectUri == null ? "" : " " + formTarget(redirectUri));
  }

  private static String formTarget(String redirectUri) {
    try {
      URI uri = URI.create(redirectUri);
      String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
      if (uri.getHost() == null) {
        return scheme + ":";
      }
      return scheme + "://" + uri.getRawAuthority();
    } catch (IllegalArgumentException | NullPointerException e) {
      return "";
    }
  }

  private static Context context() {
    Context context = new Context(Locale.ENGLISH);
    context.setVariable("product", PRODUCT);
    return context;
  }
}
