package io.varshift.stack.replay;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.Callable;

import io.varshift.core.corruption.ShiftKind;
import io.varshift.core.data.FashionMnist;
import io.varshift.core.data.ImageSet;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./varshift replay}: plays a serving app. Publishes Fashion-MNIST test images to a Kafka topic
 * as inference traffic in core's record format, paced to a rate, with an optional covariate shift
 * switched on after N records or T seconds. Exit 0 when every record was acknowledged, 1 when the
 * replay failed (broker, data), 2 on bad usage.
 */
@Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Publish Fashion-MNIST test images to Kafka as inference traffic, optionally shifted.")
public final class Replay implements Callable<Integer> {

    @Option(names = "--bootstrap", defaultValue = "${env:VARSHIFT_KAFKA_BOOTSTRAP:-127.0.0.1:19092}",
            description = "Kafka bootstrap servers (default ${DEFAULT-VALUE}: the local stack's broker).")
    String bootstrap;

    @Option(names = "--topic", defaultValue = "varshift-traffic", description = "Traffic topic (default ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--model", defaultValue = "fmnist", description = "Value of the varshift-model header (default ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--model-version", description = "Value of the optional varshift-model-version header.")
    String modelVersion;

    @Option(names = "--format", defaultValue = "npy", completionCandidates = FormatNames.class,
            description = "Record value format: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    RecordFormat format;

    @Option(names = "--rate", defaultValue = "100", description = "Records per second; 0 = as fast as possible (default ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--count", defaultValue = "1000", description = "Records to send (default ${DEFAULT-VALUE}); images cycle after 10000.")
    long count;

    @Option(names = "--batch", defaultValue = "1", description = "Images per record, shape [batch, 1, 28, 28] (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--start", defaultValue = "0", description = "Index of the first test image (default ${DEFAULT-VALUE}).")
    int start;

    @Option(names = "--shift", completionCandidates = ShiftNames.class, description = "Covariate shift to switch on: ${COMPLETION-CANDIDATES}.")
    ShiftKind shift;

    @Option(names = "--severity", defaultValue = "0.5", description = "Shift severity in [0, 1] (default ${DEFAULT-VALUE}).")
    double severity;

    @Option(names = "--shift-after", defaultValue = "-1", paramLabel = "N",
            description = "Switch the shift on at record N (0-based); without this or --shift-after-seconds it is on from the start.")
    long shiftAfter;

    @Option(names = "--shift-after-seconds", defaultValue = "-1", paramLabel = "T",
            description = "Switch the shift on for records sent T seconds or more after the start.")
    double shiftAfterSeconds;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the noise and occlusion positions (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--data-dir", description = "Folder with the Fashion-MNIST IDX .gz files (default: Debian's, "
            + "/usr/share/datasets/fashion-mnist).")
    Path dataDir;

    @Option(names = "--progress-seconds", defaultValue = "5", description = "Seconds between progress lines (default ${DEFAULT-VALUE}).")
    double progressSeconds;

    @Option(names = "--timeout-seconds", defaultValue = "30",
            description = "How long to wait for the broker before giving up (default ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    private PrintStream out = System.out;

    /** Lower-case names for the help text; parsing accepts any case. */
    static final class ShiftNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(ShiftKind.values()).map(ShiftKind::cliName).iterator();
        }
    }

    static final class FormatNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(RecordFormat.values()).map(RecordFormat::cliName).iterator();
        }
    }

    public static void main(String[] args) {
        System.exit(run(System.out, System.err, args));
    }

    /** Runs the command in this JVM, printing to the given streams; returns the exit code (0 ok, 1 failed, 2 bad usage). */
    public static int run(PrintStream out, PrintStream err, String... args) {
        Replay replay = new Replay();
        replay.out = out;
        CommandLine cli = new CommandLine(replay).setCaseInsensitiveEnumValuesAllowed(true);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof IllegalArgumentException) {
                err.println("replay: " + e.getMessage());
                line.usage(err);
                return CommandLine.ExitCode.USAGE;
            }
            err.println("replay: " + e.getMessage());
            return CommandLine.ExitCode.SOFTWARE;
        });
        return cli.execute(args);
    }

    @Override
    public Integer call() {
        if (timeoutSeconds < 1) {
            throw new IllegalArgumentException("--timeout-seconds " + timeoutSeconds + " must be at least 1");
        }
        ReplayPlan plan = new ReplayPlan(topic, model, modelVersion, format, rate, count, batch, start, shift, severity,
                shiftAfter, shiftAfterSeconds, seed, progressSeconds);
        ImageSet images = loadImages();
        if (start >= images.size()) {
            throw new IllegalArgumentException("--start " + start + " is past the " + images.size() + " test images");
        }
        out.printf("replay: %d records of %d image(s) as %s to %s on %s, model %s, %s, shift %s%n", count, batch,
                format.cliName(), topic, bootstrap, model, rate > 0 ? rate + " records/s" : "as fast as possible",
                plan.shiftLabel() + onsetText(plan));
        try (KafkaSink sink = new KafkaSink(bootstrap, topic, Duration.ofSeconds(timeoutSeconds))) {
            ReplaySummary summary = new Replayer(plan, images, sink, Ticker.SYSTEM, out).run();
            out.println(summary.line());
        }
        return 0;
    }

    private ImageSet loadImages() {
        try {
            return (dataDir == null ? FashionMnist.installed() : FashionMnist.in(dataDir)).test();
        } catch (IllegalStateException | java.io.UncheckedIOException e) {
            throw new ReplayException(e.getMessage(), e);
        }
    }

    private static String onsetText(ReplayPlan plan) {
        if (plan.shift() == null) {
            return "";
        }
        if (plan.shiftAfterRecords() >= 0) {
            return " from record " + plan.shiftAfterRecords();
        }
        return plan.shiftAfterSeconds() >= 0 ? " from " + plan.shiftAfterSeconds() + " s" : " from the start";
    }
}
