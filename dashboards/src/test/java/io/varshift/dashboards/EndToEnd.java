package io.varshift.dashboards;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import io.varshift.stack.AppProcess;

/** What the end-to-end tests share: the apps' runner jars started as their own JVMs, waiting, ports. */
final class EndToEnd {

    private EndToEnd() {
    }

    static Path trainerJar() {
        return Path.of(System.getProperty("varshift.trainer.jar", "../trainer/target/quarkus-app/quarkus-run.jar"));
    }

    static Path agentJar() {
        return Path.of(System.getProperty("varshift.agent.jar", "../agent/target/quarkus-app/quarkus-run.jar"));
    }

    /** An app's runner jar as its own JVM (1 GiB heap), -D properties, the engine cache of this build. */
    static AppProcess startApp(String name, Path jar, Map<String, String> properties, List<String> args, Path log) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(name + " jar " + jar + " is missing; build it first: mvn -B -pl " + name
                    + " -am package -DskipTests (./varshift test builds every module before this test)");
        }
        List<String> jvmOptions = new ArrayList<>(List.of("-Xmx1g"));
        properties.forEach((k, v) -> jvmOptions.add("-D" + k + "=" + v));
        String engineCache = System.getProperty("varshift.engine.cache",
                System.getenv().getOrDefault("ENGINE_CACHE_DIR", "run/djl-cache"));
        return AppProcess.start(name, jar, jvmOptions, args, Map.of("DJL_OFFLINE", "true", "ENGINE_CACHE_DIR",
                engineCache), log);
    }

    /** Polls the condition every second; fails naming what did not happen. */
    static void await(Duration timeout, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " after " + timeout.toSeconds() + " s");
            }
            sleep(1000);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
