package io.varshift.dashboards;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.varshift.stack.AppProcess;
import io.varshift.stack.KafkaBrokerExtension;
import io.varshift.stack.Processes;
import io.varshift.stack.replay.Replay;

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

    /**
     * The agent's config for one test run: its own topics (created on the test broker, named
     * {@code <prefix>-traffic-<run>} and so on), consumer group, models, store and count window, and
     * short batching so that windows close quickly.
     */
    static Map<String, String> agentConfig(String prefix, String run, int port, List<String> models, Path store,
            int window) {
        for (String kind : List.of("traffic", "dlq", "windows", "alerts")) {
            KafkaBrokerExtension.createTopic(prefix + "-" + kind + "-" + run, 1);
        }
        Map<String, String> config = new LinkedHashMap<>();
        config.put("quarkus.http.port", Integer.toString(port));
        config.put("varshift.agent.bootstrap-servers", KafkaBrokerExtension.bootstrapServers());
        config.put("varshift.agent.group-id", prefix + "-agent-" + run);
        config.put("varshift.agent.topics", prefix + "-traffic-" + run);
        config.put("varshift.agent.dead-letter-topic", prefix + "-dlq-" + run);
        config.put("varshift.agent.window-results-topic", prefix + "-windows-" + run);
        config.put("varshift.agent.alerts-topic", prefix + "-alerts-" + run);
        config.put("varshift.agent.models", String.join(",", models));
        config.put("varshift.agent.model-store", store.toString());
        config.put("varshift.agent.window.samples", Integer.toString(window));
        config.put("varshift.agent.max-wait", "50ms");
        return config;
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

    /**
     * Replays Fashion-MNIST test images to {@code topic} as fast as possible (the replay command in-process);
     * fails with its output unless it exits 0. Returns its summary line.
     */
    static String replay(String topic, String model, String... args) {
        List<String> all = new ArrayList<>(List.of("--bootstrap", KafkaBrokerExtension.bootstrapServers(), "--topic", topic,
                "--model", model, "--rate", "0"));
        all.addAll(List.of(args));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        int code = Replay.run(print, print, all.toArray(String[]::new));
        String output = out.toString(StandardCharsets.UTF_8);
        if (code != 0) {
            throw new AssertionError("replay " + all + " exited with " + code + ":\n" + output);
        }
        return output.lines().reduce((a, b) -> b).orElse("");
    }

    /** Polls the condition every second; fails naming what did not happen. */
    static void await(Duration timeout, String what, BooleanSupplier condition) {
        await(timeout, () -> what, condition);
    }

    /**
     * Polls the condition every second; fails naming what did not happen, the description built at the
     * failure (so that a log tail or thread dump in it shows the moment of the timeout, not its start).
     */
    static void await(Duration timeout, Supplier<String> what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what.get() + " after " + timeout.toSeconds() + " s");
            }
            Processes.sleep(1000);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
