package dev.rsm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The deployment files (Dockerfile, deploy/compose.yaml, deploy/kubernetes/) run the node that
 * {@code mvn package} builds, with a profile that resolves, on the ports they publish, with every
 * variable they set read by the configuration. No Docker daemon or Kubernetes cluster is needed:
 * the files are parsed, and the profiles are resolved with the environment each file gives a node.
 */
class DeploymentFilesTest {
  static final Path ROOT = DocsTest.root();
  static final Pattern FINAL_NAME = Pattern.compile("<finalName>([^<]+)</finalName>");
  static final Pattern MAIN_CLASS = Pattern.compile("<mainClass>([^<]+)</mainClass>");
  static final Pattern CLASSPATH_PREFIX = Pattern.compile("<classpathPrefix>([^<]+)</classpathPrefix>");

  // ---- Dockerfile

  @Test
  void theImageRunsTheJarThatPackageBuildsWithItsLibrariesBesideIt() throws IOException {
    String pom = Files.readString(ROOT.resolve("app/pom.xml"));
    String jar = "app/target/" + group(FINAL_NAME, pom) + ".jar";
    String lib = group(CLASSPATH_PREFIX, pom); // the manifest's Class-Path, relative to the jar
    Map<String, String> copies = copies();
    assertEquals("/opt/rsm/rsm.jar", copies.get(jar), "COPY of " + jar);
    assertEquals("/opt/rsm/" + lib, copies.get("app/target/lib/"), "libraries beside the jar");
    List<String> entrypoint = jsonArray(instruction("ENTRYPOINT"));
    assertEquals("java", entrypoint.get(0));
    // -cp rather than -jar, so that the jars of users' machines join the class path; the node's
    // jar comes first, and its manifest's Class-Path still brings its libraries.
    assertEquals(List.of("-cp", "/opt/rsm/rsm.jar:/opt/rsm/machines/*", group(MAIN_CLASS, pom)),
        entrypoint.subList(entrypoint.size() - 3, entrypoint.size()));
    assertTrue(instruction("FROM").startsWith("eclipse-temurin:17-"), "a Java 17 runtime, as the build's release");
    for (String source : copies.keySet()) assertTrue(dockerIgnoreLetsIn(source), ".dockerignore keeps out " + source);
  }

  @Test
  void theImageHasTheCommandLineToolOnItsPath() throws IOException {
    String pom = Files.readString(ROOT.resolve("cli/pom.xml"));
    String jar = "cli/target/" + group(FINAL_NAME, pom) + ".jar";
    String lib = group(CLASSPATH_PREFIX, pom);
    Map<String, String> copies = copies();
    // bin/rsm runs $RSM_HOME/cli/rsm-cli.jar, with the libraries its manifest names beside it.
    assertEquals("/opt/rsm/cli/rsm-cli.jar", copies.get(jar), "COPY of " + jar);
    assertEquals("/opt/rsm/cli/" + lib, copies.get("cli/target/lib/"), "the tool's libraries beside its jar");
    assertEquals("/opt/rsm/bin/rsm", copies.get("bin/rsm"), "the launcher");
    assertTrue(Files.isExecutable(ROOT.resolve("bin/rsm")), "bin/rsm is executable (COPY keeps the mode)");
    assertTrue(Files.readString(ROOT.resolve("bin/rsm")).contains("$RSM_HOME/cli/rsm-cli.jar"), "bin/rsm's jar");
    String env = dockerfile().lines().filter(l -> l.startsWith("ENV ") && l.contains("PATH=")).findFirst()
        .orElseThrow(() -> new AssertionError("no ENV PATH= in the Dockerfile"));
    assertTrue(env.contains("RSM_HOME=/opt/rsm") && env.contains("PATH=\"/opt/rsm/bin:"), env);
    for (String source : copies.keySet()) assertTrue(dockerIgnoreLetsIn(source), ".dockerignore keeps out " + source);
  }

  @Test
  void theImageRunsAsAUserWithoutPrivilege() throws IOException {
    String user = instruction("USER");
    assertFalse(Set.of("root", "0", "0:0").contains(user), "USER " + user);
    assertTrue(dockerfile().contains("useradd") && dockerfile().contains(" " + user), "the image creates " + user);
  }

  @Test
  void theImageExposesThePortsItsDefaultProfileListensOnOnEveryInterface() throws IOException {
    String options = instruction("ENV").replaceFirst("^JAVA_TOOL_OPTIONS=\"(.*)\"$", "$1");
    String profile = options.replaceFirst(".*-Dconfig.file=/opt/rsm/config/(\\S+).*", "$1");
    assertEquals("/opt/rsm/config/", copies().get("config/"), "the profiles are in the image");
    Config config = DeployProfile.load(ROOT, profile, Map.of());
    assertEquals(Set.of(config.getInt("rsm.http.port"), config.getInt("pekko.management.http.port"),
        config.getInt("pekko.remote.artery.canonical.port")), exposed());
    assertEquals(Set.of(8080, 8558, 25520), exposed());
    assertEquals("0.0.0.0", config.getString("rsm.http.hostname"));
    assertEquals("0.0.0.0", config.getString("pekko.management.http.bind-hostname"));
    assertEquals("0.0.0.0", config.getString("pekko.remote.artery.bind.hostname"));
  }

  // ---- deploy/compose.yaml

  @Test
  void composeRunsThreeNodesThatJoinEachOtherOnItsPostgres() throws IOException {
    Map<String, Object> services = map(yaml("deploy/compose.yaml").get("services"));
    List<String> nodes = services.keySet().stream().filter(s -> s.startsWith("rsm-")).sorted().toList();
    assertEquals(List.of("rsm-1", "rsm-2", "rsm-3"), nodes);
    assertTrue(services.containsKey("postgres"));
    Set<String> hostnames = new TreeSet<>();
    for (String node : nodes) {
      Map<String, Object> service = map(services.get(node));
      Map<String, String> env = strings(map(service.get("environment")));
      assertVariablesAreRead(env.keySet(), node);
      Config config = DeployProfile.load(ROOT, profileOf(env), env);
      String hostname = config.getString("pekko.remote.artery.canonical.hostname");
      assertEquals(service.get("hostname"), hostname, node + " tells the others its own name");
      hostnames.add(hostname);
      assertTrue(config.getString("rsm.storage.jdbc.url").startsWith("jdbc:postgresql://postgres:5432/"));
      assertEquals("rsm", config.getString("rsm.storage.jdbc.user"));
      for (String seed : config.getStringList("pekko.cluster.seed-nodes")) {
        Matcher m = Pattern.compile("pekko://rsm@([^:]+):(\\d+)").matcher(seed);
        assertTrue(m.matches(), seed);
        assertTrue(nodes.contains(m.group(1)), seed + " is a node of the file");
        assertEquals(config.getInt("pekko.remote.artery.canonical.port"), Integer.parseInt(m.group(2)));
      }
      assertEquals(2, config.getStringList("pekko.cluster.seed-nodes").size());
      assertTrue(((List<?>) service.get("ports")).contains((8080 + nodes.indexOf(node)) + ":" + config.getInt("rsm.http.port")),
          node + " publishes its HTTP port");
      ClusterFormation.check(config, false);
    }
    assertEquals(3, hostnames.size(), "every node its own address");
  }

  // ---- deploy/kubernetes/

  @Test
  void kubernetesRunsThreeNodesThatFormTheirClusterThroughTheKubernetesApi() throws IOException {
    Map<String, Object> deployment = manifest("Deployment");
    Map<String, Object> spec = map(deployment.get("spec"));
    assertEquals(3, spec.get("replicas"));
    Map<String, Object> pod = map(map(spec.get("template")).get("spec"));
    Map<String, Object> container = map(((List<?>) pod.get("containers")).get(0));
    Map<String, String> env = new HashMap<>();
    for (Object o : (List<?>) container.get("env")) {
      Map<String, Object> var = map(o);
      // A value from the pod or a secret: any placeholder stands for it in the profile.
      env.put((String) var.get("name"), var.containsKey("value") ? String.valueOf(var.get("value")) : "10.0.0.7");
    }
    assertVariablesAreRead(env.keySet(), "the Deployment");
    assertEquals("status.podIP", map(map(envVar(container, "RSM_HOSTNAME").get("valueFrom")).get("fieldRef")).get("fieldPath"));
    for (String v : List.of("RSM_DB_URL", "RSM_DB_USER", "RSM_DB_PASSWORD"))
      assertTrue(map(envVar(container, v).get("valueFrom")).containsKey("secretKeyRef"), v + " from a secret");

    Config config = DeployProfile.load(ROOT, profileOf(env), env);
    ClusterFormation.check(config, false);
    assertTrue(config.getBoolean("rsm.node.bootstrap"));
    assertEquals(List.of(), config.getStringList("pekko.cluster.seed-nodes"), "no fixed seed nodes");
    String discovery = "pekko.management.cluster.bootstrap.contact-point-discovery";
    assertEquals("kubernetes-api", config.getString(discovery + ".discovery-method"));
    Map<String, Object> labels = map(map(map(spec.get("template")).get("metadata")).get("labels"));
    assertEquals(labels.get("app"), config.getString(discovery + ".service-name"), "discovery finds the pods by their label");
    assertEquals("app=%s", config.getString("pekko.discovery.kubernetes-api.pod-label-selector"));
    assertTrue(config.getInt(discovery + ".required-contact-point-nr") <= (Integer) spec.get("replicas"));
    assertEquals("10.0.0.7", config.getString("pekko.remote.artery.canonical.hostname"));
    assertEquals("10.0.0.7", config.getString("pekko.management.http.hostname"));
    assertEquals("lease-majority", config.getString("pekko.cluster.split-brain-resolver.active-strategy"));
    assertEquals("rsm.lease", config.getString("pekko.cluster.split-brain-resolver.lease-majority.lease-implementation"));
    assertEquals("rsm.lease", config.getString("pekko.cluster.sharding.use-lease"));

    Map<String, Integer> ports = new HashMap<>();
    for (Object o : (List<?>) container.get("ports")) ports.put((String) map(o).get("name"), (Integer) map(o).get("containerPort"));
    assertEquals(config.getInt("pekko.management.http.port"), ports.get(config.getString(discovery + ".port-name")),
        "the port named for discovery is management's");
    assertEquals(config.getInt("rsm.http.port"), ports.get("http"));
    assertEquals(config.getInt("pekko.remote.artery.canonical.port"), ports.get("remoting"));
    Map<String, Object> ready = map(map(container.get("readinessProbe")).get("httpGet"));
    assertEquals("/ready", ready.get("path"));
    assertEquals("management", ready.get("port"));
    assertEquals("/alive", map(map(container.get("livenessProbe")).get("httpGet")).get("path"));

    Map<String, Object> service = manifest("Service");
    assertEquals(labels, map(map(service.get("spec")).get("selector")), "the Service routes to the nodes");
  }

  @Test
  void theNodesServiceAccountMayListPodsAndNothingElse() throws IOException {
    String account = (String) map(map(map(map(manifest("Deployment").get("spec")).get("template")).get("spec")))
        .get("serviceAccountName");
    assertEquals(account, map(manifest("ServiceAccount").get("metadata")).get("name"));
    Map<String, Object> role = manifest("Role");
    List<?> rules = (List<?>) role.get("rules");
    assertEquals(1, rules.size());
    assertEquals(List.of("pods"), map(rules.get(0)).get("resources"));
    assertTrue(((List<?>) map(rules.get(0)).get("verbs")).contains("list"));
    Map<String, Object> binding = manifest("RoleBinding");
    assertEquals(map(role.get("metadata")).get("name"), map(binding.get("roleRef")).get("name"));
    assertEquals(account, map(((List<?>) binding.get("subjects")).get(0)).get("name"));
  }

  // ---- helpers

  static void assertVariablesAreRead(Set<String> set, String where) {
    Set<String> unread = new TreeSet<>(set);
    unread.removeAll(DeployProfile.variablesRead(ROOT));
    unread.remove("JAVA_TOOL_OPTIONS"); // read by the JVM: it names the profile
    assertEquals(Set.of(), unread, where + " sets variables no profile reads");
  }

  static String profileOf(Map<String, String> env) {
    String options = env.get("JAVA_TOOL_OPTIONS");
    assertNotEquals(null, options, "JAVA_TOOL_OPTIONS names the profile");
    Matcher m = Pattern.compile("-Dconfig.file=/opt/rsm/config/(\\S+)").matcher(options);
    assertTrue(m.find(), options);
    return m.group(1);
  }

  static String dockerfile() throws IOException {
    return Files.readString(ROOT.resolve("Dockerfile"));
  }

  /** The argument of the Dockerfile's last {@code instruction}, continuation lines joined. */
  static String instruction(String instruction) throws IOException {
    String last = null;
    for (String line : dockerfile().replace("\\\n", " ").split("\n"))
      if (line.startsWith(instruction + " ")) last = line.substring(instruction.length() + 1).trim();
    if (last == null) throw new AssertionError("no " + instruction + " in the Dockerfile");
    return last;
  }

  static Map<String, String> copies() throws IOException {
    Map<String, String> copies = new HashMap<>();
    for (String line : dockerfile().split("\n")) {
      String[] words = line.trim().split("\\s+");
      if (words[0].equals("COPY")) copies.put(words[1], words[2]);
    }
    return copies;
  }

  static Set<Integer> exposed() throws IOException {
    Set<Integer> ports = new TreeSet<>();
    for (String p : instruction("EXPOSE").split("\\s+")) ports.add(Integer.parseInt(p));
    return ports;
  }

  static boolean dockerIgnoreLetsIn(String source) throws IOException {
    boolean in = true;
    for (String line : Files.readAllLines(ROOT.resolve(".dockerignore"))) {
      if (line.isBlank() || line.startsWith("#")) continue;
      if (line.equals("*")) in = false;
      else if (line.startsWith("!") && source.startsWith(line.substring(1))) in = true;
    }
    return in;
  }

  static List<String> jsonArray(String json) throws IOException {
    List<String> list = new ArrayList<>();
    for (var node : new ObjectMapper().readTree(json)) list.add(node.asText());
    return list;
  }

  static Map<String, Object> yaml(String file) throws IOException {
    return new Yaml().load(Files.readString(ROOT.resolve(file)));
  }

  /** The one document of {@code kind} among the files of deploy/kubernetes/. */
  static Map<String, Object> manifest(String kind) throws IOException {
    List<Map<String, Object>> found = new ArrayList<>();
    try (var files = Files.list(ROOT.resolve("deploy/kubernetes"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList())
        for (Object doc : new Yaml().loadAll(Files.readString(f)))
          if (doc != null && kind.equals(map(doc).get("kind"))) found.add(map(doc));
    }
    assertEquals(1, found.size(), "one " + kind + " in deploy/kubernetes/");
    return found.get(0);
  }

  static Map<String, Object> envVar(Map<String, Object> container, String name) {
    for (Object o : (List<?>) container.get("env")) if (name.equals(map(o).get("name"))) return map(o);
    throw new AssertionError("no " + name);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    if (!(o instanceof Map)) throw new AssertionError("not a mapping: " + o);
    return (Map<String, Object>) o;
  }

  static Map<String, String> strings(Map<String, Object> m) {
    Map<String, String> s = new HashMap<>();
    m.forEach((k, v) -> s.put(k, String.valueOf(v)));
    return s;
  }

  static String group(Pattern p, String text) {
    Matcher m = p.matcher(text);
    if (!m.find()) throw new AssertionError("no " + p);
    return m.group(1);
  }
}
