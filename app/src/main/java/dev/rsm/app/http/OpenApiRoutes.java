package dev.rsm.app.http;

import dev.rsm.persistence.MachineRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.Properties;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The node's API contract on the ingress port: {@code GET /openapi.json} (the {@link
 * OpenApiDocument} of the machine types it hosts, generated once at start) and a browsable {@code
 * GET /openapi/}, Swagger UI served from its webjar on the classpath (no CDN) and pointed at that
 * document.
 *
 * <p>The UI's files hold no data, so a node with authentication serves them without a token, like
 * the console; the document describes the node's machines and is behind the ingress's tokens.
 */
public final class OpenApiRoutes extends AllDirectives {
  private static final String OWN = "dev/rsm/openapi";
  // Where the webjar keeps its files, under its version; null when the jar is not on the classpath
  // (the page is then missing, the node and its document are not).
  private static final String WEBJAR = property("META-INF/maven/org.webjars/swagger-ui/pom.properties", "version")
      .map(v -> "META-INF/resources/webjars/swagger-ui/" + v).orElse(null);

  private final byte[] document;

  public OpenApiRoutes(MachineRegistry registry, boolean bearerAuth) {
    this.document = Json.write(OpenApiDocument.of(registry, version(), bearerAuth));
  }

  /** The software's version, as the build recorded it ("unknown" without the build's record). */
  public static String version() {
    return property("dev/rsm/app/http/version.properties", "version").orElse("unknown");
  }

  /** {@code GET /openapi.json}. */
  public Route document() {
    return path("openapi.json", () -> get(() ->
        complete(HttpEntities.create(ContentTypes.APPLICATION_JSON, document))));
  }

  /** {@code GET /openapi/}: the UI's page, its start script, and the webjar's files. */
  public Route ui() {
    if (WEBJAR == null) return reject();
    return pathPrefix("openapi", () -> get(() -> concat(
        pathEnd(() -> redirect(Uri.create("openapi/"), StatusCodes.FOUND)),
        pathSingleSlash(() -> getFromResource(OWN + "/index.html", ContentTypes.TEXT_HTML_UTF8)),
        path("index.html", () -> getFromResource(OWN + "/index.html", ContentTypes.TEXT_HTML_UTF8)),
        path("swagger-initializer.js", () -> getFromResource(OWN + "/swagger-initializer.js")),
        rawPathPrefix(PathMatchers.slash(), () -> getFromResourceDirectory(WEBJAR)))));
  }

  private static Optional<String> property(String resource, String key) {
    try (InputStream in = OpenApiRoutes.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) return Optional.empty();
      Properties p = new Properties();
      p.load(in);
      return Optional.ofNullable(p.getProperty(key));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
