package io.varshift.stack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./varshift stack up|down|status}: the local stack (Kafka broker, Prometheus) as background
 * processes with pid files under the run dir; {@code down} stops only what {@code up} started.
 */
@Command(name = "stack", mixinStandardHelpOptions = true,
        description = "Start, stop or inspect the local stack: a real Kafka broker and Prometheus.",
        subcommands = {StackMain.Up.class, StackMain.Down.class, StackMain.Status.class})
public final class StackMain {

    static final int KAFKA_PORT = 19092;
    static final int CONTROLLER_PORT = 19093;
    static final int PROMETHEUS_PORT = 19090;

    @Option(names = "--dir", defaultValue = "run/stack", description = "Run dir for data, logs and pid files (default ${DEFAULT-VALUE}).")
    Path dir;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        CommandLine cli = new CommandLine(new StackMain());
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            System.err.println("stack: " + e.getMessage());
            return 1;
        });
        cli.setExitCodeExceptionMapper(e -> 2);
        return cli.execute(args);
    }

    Path kafkaDir() {
        return dir.resolve("kafka");
    }

    Path prometheusDir() {
        return dir.resolve("prometheus");
    }

    Optional<ProcessHandle> kafka() {
        return Processes.fromPidFile(kafkaDir().resolve("pid"), KafkaBroker.MARKER);
    }

    Optional<ProcessHandle> prometheus() {
        return Processes.fromPidFile(prometheusDir().resolve("pid"), PrometheusServer.MARKER);
    }

    @Command(name = "up", mixinStandardHelpOptions = true,
            description = "Start the Kafka broker (127.0.0.1:" + KAFKA_PORT + ") and Prometheus (127.0.0.1:"
                    + PROMETHEUS_PORT + ") unless they already run; wait until both are ready.")
    static final class Up implements Callable<Integer> {
        @CommandLine.ParentCommand
        StackMain stack;

        @Option(names = "--prometheus-config", defaultValue = "dashboards/prometheus/prometheus.yml",
                description = "Prometheus config (default ${DEFAULT-VALUE}).")
        Path prometheusConfig;

        @Option(names = "--no-prometheus", description = "Start only the Kafka broker.")
        boolean noPrometheus;

        @Option(names = "--timeout", defaultValue = "90", description = "Seconds to wait for each component (default ${DEFAULT-VALUE}).")
        int timeoutSeconds;

        @Override
        public Integer call() {
            Duration timeout = Duration.ofSeconds(timeoutSeconds);
            if (stack.kafka().isPresent()) {
                System.out.println("kafka       already running, pid " + stack.kafka().get().pid());
            } else {
                KafkaBroker broker = KafkaBroker.start(stack.kafkaDir(), KAFKA_PORT, CONTROLLER_PORT, timeout);
                Processes.writePid(stack.kafkaDir().resolve("pid"), broker.pid());
                System.out.println("kafka       started, pid " + broker.pid() + ", bootstrap " + broker.bootstrapServers());
            }
            RoundTrip.check("127.0.0.1:" + KAFKA_PORT, Duration.ofSeconds(30));
            System.out.println("kafka       ready: produce/consume round trip ok");
            if (noPrometheus) {
                return 0;
            }
            if (stack.prometheus().isPresent()) {
                System.out.println("prometheus  already running, pid " + stack.prometheus().get().pid());
            } else {
                PrometheusServer server = PrometheusServer.start(prometheusConfig, stack.prometheusDir(),
                        PROMETHEUS_PORT, timeout);
                Processes.writePid(stack.prometheusDir().resolve("pid"), server.pid());
                System.out.println("prometheus  ready, pid " + server.pid() + ", " + server.url());
            }
            return 0;
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true,
            description = "Stop what 'stack up' started (by pid file); leaves data in the run dir.")
    static final class Down implements Callable<Integer> {
        @CommandLine.ParentCommand
        StackMain stack;

        @Override
        public Integer call() throws Exception {
            stop("prometheus", stack.prometheus(), stack.prometheusDir().resolve("pid"));
            stop("kafka", stack.kafka(), stack.kafkaDir().resolve("pid"));
            return 0;
        }

        private static void stop(String name, Optional<ProcessHandle> process, Path pidFile) throws Exception {
            if (process.isEmpty()) {
                System.out.printf("%-11s not running%n", name);
            } else {
                Processes.stop(process.get(), 30);
                System.out.printf("%-11s stopped (pid %d)%n", name, process.get().pid());
            }
            Files.deleteIfExists(pidFile);
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Say what runs where.")
    static final class Status implements Callable<Integer> {
        @CommandLine.ParentCommand
        StackMain stack;

        @Override
        public Integer call() {
            line("kafka", stack.kafka(), "bootstrap 127.0.0.1:" + KAFKA_PORT + ", log " + stack.kafkaDir().resolve("broker.log"));
            line("prometheus", stack.prometheus(), "http://127.0.0.1:" + PROMETHEUS_PORT
                    + ", log " + stack.prometheusDir().resolve("prometheus.log"));
            return 0;
        }

        private static void line(String name, Optional<ProcessHandle> process, String where) {
            System.out.printf("%-11s %s%n", name, process.map(p -> "running, pid " + p.pid() + ", " + where)
                    .orElse("not running"));
        }
    }
}
