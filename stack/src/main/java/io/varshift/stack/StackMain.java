package io.varshift.stack;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
        return cli.execute(args);
    }

    LocalStack stack() {
        return new LocalStack(dir);
    }

    @Command(name = "up", mixinStandardHelpOptions = true,
            description = "Start the Kafka broker (" + LocalStack.BOOTSTRAP + ") and Prometheus ("
                    + LocalStack.PROMETHEUS_URL + ") unless they already run; wait until both are ready.")
    static final class Up implements Callable<Integer> {
        @CommandLine.ParentCommand
        StackMain parent;

        @Option(names = "--prometheus-config", defaultValue = "dashboards/prometheus/prometheus.yml",
                description = "Prometheus config (default ${DEFAULT-VALUE}).")
        Path prometheusConfig;

        @Option(names = "--no-prometheus", description = "Start only the Kafka broker.")
        boolean noPrometheus;

        @Option(names = "--timeout", defaultValue = "90", description = "Seconds to wait for each component (default ${DEFAULT-VALUE}).")
        int timeoutSeconds;

        @Override
        public Integer call() {
            parent.stack().up(noPrometheus ? null : prometheusConfig, Duration.ofSeconds(timeoutSeconds));
            return 0;
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true,
            description = "Stop what 'stack up' started (by pid file); leaves data in the run dir.")
    static final class Down implements Callable<Integer> {
        @CommandLine.ParentCommand
        StackMain parent;

        @Override
        public Integer call() {
            parent.stack().down(List.of(LocalStack.Component.values()));
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Say what runs where.")
    static final class Status implements Callable<Integer> {
        @CommandLine.ParentCommand
        StackMain parent;

        @Override
        public Integer call() {
            parent.stack().status();
            return 0;
        }
    }
}
