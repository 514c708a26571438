package io.varshift.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The local stack under one run dir: a Kafka broker on 127.0.0.1:19092 and Prometheus on
 * 127.0.0.1:19090, each a background process with a pid file. {@link #up} starts what is not
 * running and says what it started, so callers stop only that.
 */
public final class LocalStack {

    public static final int KAFKA_PORT = 19092;
    public static final int CONTROLLER_PORT = 19093;
    public static final int PROMETHEUS_PORT = 19090;
    public static final String BOOTSTRAP = "127.0.0.1:" + KAFKA_PORT;
    public static final String PROMETHEUS_URL = "http://127.0.0.1:" + PROMETHEUS_PORT;

    /** A component of the stack. */
    public enum Component { KAFKA, PROMETHEUS }

    private final Path dir;

    public LocalStack(Path dir) {
        this.dir = dir;
    }

    Path kafkaDir() {
        return dir.resolve("kafka");
    }

    Path prometheusDir() {
        return dir.resolve("prometheus");
    }

    public Optional<ProcessHandle> running(Component component) {
        return component == Component.KAFKA
                ? Processes.fromPidFile(kafkaDir().resolve("pid"), KafkaBroker.MARKER)
                : Processes.fromPidFile(prometheusDir().resolve("pid"), PrometheusServer.MARKER);
    }

    /**
     * Starts the broker (and Prometheus with {@code prometheusConfig} unless it is null) when not
     * running; checks a produce/consume round trip. Returns the components this call started.
     */
    public List<Component> up(Path prometheusConfig, Duration timeout) {
        List<Component> started = new ArrayList<>();
        Optional<ProcessHandle> kafka = running(Component.KAFKA);
        if (kafka.isPresent()) {
            say("kafka", "already running, pid " + kafka.get().pid());
        } else {
            KafkaBroker broker = KafkaBroker.start(kafkaDir(), KAFKA_PORT, CONTROLLER_PORT, timeout);
            Processes.writePid(kafkaDir().resolve("pid"), broker.pid());
            started.add(Component.KAFKA);
            say("kafka", "started, pid " + broker.pid() + ", bootstrap " + broker.bootstrapServers());
        }
        RoundTrip.check(BOOTSTRAP, Duration.ofSeconds(30));
        say("kafka", "ready: produce/consume round trip ok");
        if (prometheusConfig == null) {
            return started;
        }
        Optional<ProcessHandle> prometheus = running(Component.PROMETHEUS);
        if (prometheus.isPresent()) {
            say("prometheus", "already running, pid " + prometheus.get().pid());
        } else {
            PrometheusServer server = PrometheusServer.start(prometheusConfig, prometheusDir(), PROMETHEUS_PORT, timeout);
            Processes.writePid(prometheusDir().resolve("pid"), server.pid());
            started.add(Component.PROMETHEUS);
            say("prometheus", "ready, pid " + server.pid() + ", " + server.url());
        }
        return started;
    }

    /** Stops the given components (those that run), Prometheus first. */
    public void down(List<Component> components) {
        if (components.contains(Component.PROMETHEUS)) {
            stop("prometheus", running(Component.PROMETHEUS), prometheusDir().resolve("pid"));
        }
        if (components.contains(Component.KAFKA)) {
            stop("kafka", running(Component.KAFKA), kafkaDir().resolve("pid"));
        }
    }

    public void status() {
        line("kafka", running(Component.KAFKA), "bootstrap " + BOOTSTRAP + ", log " + kafkaDir().resolve("broker.log"));
        line("prometheus", running(Component.PROMETHEUS), PROMETHEUS_URL + ", log " + prometheusDir().resolve("prometheus.log"));
    }

    private static void stop(String name, Optional<ProcessHandle> process, Path pidFile) {
        if (process.isEmpty()) {
            say(name, "not running");
        } else {
            Processes.stop(process.get(), 30);
            say(name, "stopped (pid " + process.get().pid() + ")");
        }
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            throw new StackException("cannot remove pid file " + pidFile + ": " + e.getMessage(), e);
        }
    }

    private static void line(String name, Optional<ProcessHandle> process, String where) {
        say(name, process.map(p -> "running, pid " + p.pid() + ", " + where).orElse("not running"));
    }

    private static void say(String name, String what) {
        System.out.printf("%-11s %s%n", name, what);
    }
}
