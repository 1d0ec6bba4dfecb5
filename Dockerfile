# Tessera container image. Build the jar first (`mvn -B -q package -DskipTests`), then
# `docker build -t tessera:latest .`. Runs as a non-root user on a read-only root filesystem:
# only /tmp (an emptyDir in k8s/deployment.yaml) is written. Production points TESSERA_DB_URL at
# PostgreSQL; the embedded database is for laptops and is not used here. The defaults are built into
# the jar; settings come from the environment (k8s/configmap.yaml).
FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --home-dir /app tessera
WORKDIR /app
COPY target/tessera.jar tessera.jar
USER 10001
EXPOSE 8080 9000 5701
ENV JAVA_TOOL_OPTIONS="-XX:InitialRAMPercentage=75 -XX:MaxRAMPercentage=75 -XX:+AlwaysPreTouch -XX:+ExitOnOutOfMemoryError"
ENTRYPOINT ["java", "-jar", "/app/tessera.jar"]
