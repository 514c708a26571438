package io.varshift.stack;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.Uuid;

/**
 * A real single-node Kafka broker (KRaft, combined broker + controller on 127.0.0.1), started as a
 * separate JVM from the Apache Kafka artifacts this module depends on. Used by the launcher's
 * {@code stack up} and by {@link KafkaBrokerExtension}.
 */
public final class KafkaBroker implements AutoCloseable {

    /** Marker on the broker's command line, so {@code stack down} only ever stops our broker. */
    static final String MARKER = "-Dvarshift.stack=kafka";
    static final String READY_LINE = "Kafka Server started";

    private final Path dir;
    private final int port;
    private final int controllerPort;
    private final Map<String, String> overrides;
    private final Process process;

    private KafkaBroker(Path dir, int port, int controllerPort, Map<String, String> overrides, Process process) {
        this.dir = dir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.overrides = overrides;
        this.process = process;
    }

    /**
     * A broker of its own for a test that pauses, stops or restarts it, on free ports in {@code dir};
     * {@code overrides} are server properties that replace the defaults (e.g. auto.create.topics.enable).
     */
    public static KafkaBroker startDedicated(Path dir, Map<String, String> overrides, Duration timeout) {
        int[] ports = Processes.freePorts(2);
        return start(dir, ports[0], ports[1], overrides, timeout);
    }

    /**
     * Formats the storage (first start only) and starts the broker, waiting until its log says it
     * started. Fails with a clear message, never hangs: the wait is bounded by {@code timeout}.
     */
    public static KafkaBroker start(Path dir, int port, int controllerPort, Duration timeout) {
        return start(dir, port, controllerPort, Map.of(), timeout);
    }

    private static KafkaBroker start(Path dir, int port, int controllerPort, Map<String, String> overrides,
            Duration timeout) {
        Processes.requirePortFree(port, "Kafka broker");
        Processes.requirePortFree(controllerPort, "Kafka controller");
        Path config = dir.resolve("server.properties");
        Path log = dir.resolve("broker.log");
        try {
            Files.createDirectories(dir);
            StringBuilder properties = new StringBuilder(serverProperties(dir.resolve("data"), port, controllerPort));
            // A later line wins in a properties file, so overrides replace the defaults above them.
            overrides.forEach((k, v) -> properties.append(k).append('=').append(v).append('\n'));
            Files.writeString(config, properties.toString());
            Files.writeString(dir.resolve("log4j2.properties"), LOG4J2);
        } catch (IOException e) {
            throw new StackException("Kafka broker: cannot prepare " + dir + ": " + e.getMessage(), e);
        }
        String classpath = brokerClasspath();
        if (!Files.exists(dir.resolve("data").resolve("meta.properties"))) {
            format(dir, config, classpath, timeout);
        }
        List<String> command = new ArrayList<>(List.of(Processes.javaExecutable(), MARKER,
                "-Xms256m", "-Xmx768m", "-XX:+UseG1GC",
                "-Dlog4j2.configurationFile=" + dir.resolve("log4j2.properties"),
                "-cp", classpath, "kafka.Kafka", config.toString()));
        Process process;
        try {
            Files.deleteIfExists(log);
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new StackException("Kafka broker: cannot start java: " + e.getMessage(), e);
        }
        KafkaBroker broker = new KafkaBroker(dir, port, controllerPort, Map.copyOf(overrides), process);
        broker.awaitReady(log, timeout);
        return broker;
    }

    private void awaitReady(Path log, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new StackException("Kafka broker exited with code " + process.exitValue()
                        + " before it was ready; last lines of " + log + ":\n" + Processes.tail(log, 30));
            }
            if (Processes.logContains(log, READY_LINE)) {
                return;
            }
            Processes.sleep(100);
        }
        close();
        throw new StackException("Kafka broker not ready after " + timeout.toSeconds() + " s (no '"
                + READY_LINE + "' in " + log + "); stopped it. Last lines:\n" + Processes.tail(log, 30));
    }

    private static void format(Path dir, Path config, String classpath, Duration timeout) {
        Path log = dir.resolve("format.log");
        List<String> command = List.of(Processes.javaExecutable(), "-Xmx256m",
                "-Dlog4j2.configurationFile=" + dir.resolve("log4j2.properties"),
                "-cp", classpath, "kafka.tools.StorageTool", "format", "--standalone",
                "-t", Uuid.randomUuid().toString(), "-c", config.toString());
        try {
            Process format = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!format.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                format.destroyForcibly();
                throw new StackException("Kafka storage format did not finish in " + timeout.toSeconds()
                        + " s; see " + log);
            }
            if (format.exitValue() != 0) {
                throw new StackException("Kafka storage format failed (exit " + format.exitValue()
                        + ") for data dir " + dir.resolve("data") + ":\n" + Processes.tail(log, 20)
                        + "\nIf the data dir is damaged, remove it and start again.");
            }
        } catch (IOException e) {
            throw new StackException("Kafka storage format: cannot start java: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted while formatting Kafka storage", e);
        }
    }

    static String serverProperties(Path dataDir, int port, int controllerPort) {
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                "log.dirs=" + dataDir,
                "num.partitions=1",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=4",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=4",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=true",
                "") ;
    }

    /** The broker JVM's classpath, written by the build (maven-dependency-plugin) into this module. */
    static String brokerClasspath() {
        try (InputStream in = KafkaBroker.class.getResourceAsStream("broker.classpath")) {
            if (in == null) {
                throw new StackException("broker.classpath is missing from the varshift-stack build; "
                        + "rebuild with: mvn -pl stack -am install -DskipTests");
            }
            String classpath = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            for (String entry : classpath.split(":")) {
                if (!Files.exists(Path.of(entry))) {
                    throw new StackException("Kafka broker classpath entry " + entry
                            + " does not exist; rebuild with: mvn -pl stack -am install -DskipTests");
                }
            }
            return classpath;
        } catch (IOException e) {
            throw new StackException("cannot read broker.classpath: " + e.getMessage(), e);
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public int controllerPort() {
        return controllerPort;
    }

    public long pid() {
        return process.pid();
    }

    public Path dir() {
        return dir;
    }

    /** Freezes the broker process (SIGSTOP): connections stay open and nothing answers, as on a hung host. */
    public void pause() {
        signal("STOP");
    }

    /** Lets a paused broker go on (SIGCONT). */
    public void resume() {
        signal("CONT");
    }

    /** Stops the broker and starts it again on the same ports and data dir (a broker restart). */
    public KafkaBroker restart(Duration timeout) {
        close();
        return start(dir, port, controllerPort, overrides, timeout);
    }

    private void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new StackException("kill -" + name + " " + process.pid() + " (Kafka broker) failed: "
                        + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new StackException("cannot run kill -" + name + " for the Kafka broker: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted while signalling the Kafka broker", e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            Processes.stop(process.toHandle(), 20);
        }
    }

    private static final String LOG4J2 = String.join("\n",
            "status = warn",
            "appender.console.type = Console",
            "appender.console.name = STDOUT",
            "appender.console.layout.type = PatternLayout",
            "appender.console.layout.pattern = [%d] %p %m (%c)%n",
            "rootLogger.level = INFO",
            "rootLogger.appenderRef.stdout.ref = STDOUT",
            "logger.kafka.name = kafka",
            "logger.kafka.level = INFO",
            "logger.apache.name = org.apache.kafka",
            "logger.apache.level = WARN",
            "");
}
