package dev.rsm.app.admin;

import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;

/**
 * The admin API ({@code GET /admin/...}, {@link AdminApi}) and the web console ({@code /console},
 * static files from this jar) on Pekko Management's port, registered in reference.conf under
 * {@code pekko.management.http.routes.rsm-admin}. Both are read-only, and both are off with
 * {@code rsm.admin.enabled = off}. Behind the management port's authentication when it has one,
 * except the console's files (see {@link #console}).
 */
public final class AdminRoutes extends AllDirectives implements ManagementRouteProvider {
  /** Where the console's files are in the jar. */
  static final String CONSOLE = "dev/rsm/console";

  private final Admin admin;

  /** Pekko Management creates it with its system. */
  public AdminRoutes(ExtendedActorSystem system) {
    this.admin = Admin.get(Adapter.toTyped(system));
  }

  @Override
  public Route routes(ManagementRouteProviderSettings providerSettings) {
    if (!admin.settings().enabled()) return reject();
    AdminApi api = new AdminApi(admin);
    return concat(
        console(admin.settings(), ""), // Pekko Management puts its base-path in front
        pathPrefix("admin", () -> get(() -> extractUnmatchedPath(rest ->
            extractRequest(r -> completeWithFuture(api.handle(r, rest)))))));
  }

  /**
   * The console's static files: HTML, CSS and JavaScript that hold no data (the data comes from
   * {@code /admin}, with the token the console asks for when the API answers 401), so a node with
   * management authentication serves them without a token (see RsmNode), under {@code basePath}
   * (Pekko Management's {@code base-path}, "" for none). Rejects everything else, and everything
   * when the console is off.
   */
  public static Route console(AdminSettings settings, String basePath) {
    Console c = new Console();
    Route console = c.route(settings);
    return basePath.isEmpty() ? console : c.pathPrefix(PathMatchers.separateOnSlashes(basePath), () -> console);
  }

  private static final class Console extends AllDirectives {
    Route route(AdminSettings settings) {
      if (!settings.enabled() || !settings.console()) return reject();
      return pathPrefix("console", () -> get(() -> concat(
          pathEnd(() -> redirect(Uri.create("console/"), StatusCodes.FOUND)),
          pathSingleSlash(() -> getFromResource(CONSOLE + "/index.html", ContentTypes.TEXT_HTML_UTF8)),
          getFromResourceDirectory(CONSOLE))));
    }
  }
}
