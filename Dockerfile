# The node's image: a Java 17 runtime and the jar that `mvn -B -q package -DskipTests` builds, with
# its dependencies beside it, as on a developer's machine. Build it from the repository's root after
# packaging (docs/deploy.md):
#   mvn -B -q package -DskipTests && docker build -t rsm:0.1.0-SNAPSHOT .
FROM eclipse-temurin:17-jre

# A user of its own: the node needs no privilege, and a process escaping it owns nothing else.
RUN groupadd --system --gid 10001 rsm \
 && useradd --system --uid 10001 --gid rsm --home-dir /var/lib/rsm --create-home --shell /usr/sbin/nologin rsm \
 && mkdir -p /var/lib/rsm/data/gateway && chown -R rsm:rsm /var/lib/rsm

# The manifest's Class-Path names lib/<jar>, relative to rsm.jar: both go under /opt/rsm.
COPY app/target/lib/ /opt/rsm/lib/
COPY app/target/rsm.jar /opt/rsm/rsm.jar
COPY config/ /opt/rsm/config/
# The rsm command-line tool (docs/cli.md): bin/rsm runs $RSM_HOME/cli/rsm-cli.jar.
COPY cli/target/lib/ /opt/rsm/cli/lib/
COPY cli/target/rsm-cli.jar /opt/rsm/cli/rsm-cli.jar
COPY bin/rsm /opt/rsm/bin/rsm
ENV RSM_HOME=/opt/rsm PATH="/opt/rsm/bin:${PATH}"

USER rsm
# Relative paths in the configuration (H2's ./data/rsm, the sample gateway's ./data/gateway) land
# in the volume.
WORKDIR /var/lib/rsm
VOLUME /var/lib/rsm/data

# HTTP ingress, Pekko Management (/alive, /ready, /metrics, the admin API), Artery (the cluster).
EXPOSE 8080 8558 25520

# The profile is chosen by JAVA_TOOL_OPTIONS, which the JVM reads before the command line: a single
# node on H2 here; compose.yaml and the Kubernetes manifests set their own.
ENV JAVA_TOOL_OPTIONS="-Dconfig.file=/opt/rsm/config/container-h2.conf"
# The heap follows the container's memory limit, leaving room for threads and direct buffers.
# Jars of your own machines copied into /opt/rsm/machines/ are on the class path, and the node
# hosts the modules they register instead of the samples (docs/your-machines.md).
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=70", "-XX:+ExitOnOutOfMemoryError", "-cp", "/opt/rsm/rsm.jar:/opt/rsm/machines/*", "dev.rsm.app.Main"]
