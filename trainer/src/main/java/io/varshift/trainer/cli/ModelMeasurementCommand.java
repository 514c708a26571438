package io.varshift.trainer.cli;

import io.varshift.trainer.TrainerConfig;
import jakarta.inject.Inject;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * What {@code evaluate-alarms} and {@code benchmark-detectors} share: measure a stored model version
 * offline (no Kafka), write the results JSON and, with {@code --report}, the markdown report; or, with
 * {@code --report-from}, measure nothing and rewrite the report from a stored results JSON. The
 * options' checks and that choice live here; what is measured and reported lives in the subclass.
 */
abstract class ModelMeasurementCommand implements Callable<Integer> {

    @Inject
    TrainerConfig config;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", description = "model name in the store (required unless --report-from)")
    String model;

    @Option(names = "--version", description = "model version (default: latest)")
    Integer version;

    @Option(names = "--batch-size", defaultValue = "256", description = "samples per eval-mode forward")
    int batchSize;

    @Option(names = "--report", description = "also write the markdown report and its charts here, e.g. the"
            + " command's page under src/site/markdown")
    Path report;

    @Option(names = "--report-from", description = "measure nothing: write the report from this stored results JSON"
            + " (to --report, default the command's page under src/site/markdown)")
    Path reportFrom;

    /** The report written by {@code --report-from} without {@code --report}. */
    abstract Path defaultReport();

    /** Rewrites the report at {@code target} from the results file {@code from}; prints what it wrote. */
    abstract void rewriteReport(Path from, Path target, PrintWriter stdout);

    /** Measures {@link #model} (checked), writes the results and, with {@code --report}, the report. */
    abstract void measure(PrintWriter stdout);

    @Override
    public final Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        if (reportFrom != null) {
            if (model != null) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--report-from rewrites a report from JSON alone; drop --model " + model);
            }
            rewriteReport(reportFrom, report == null ? defaultReport() : report, stdout);
        } else {
            if (model == null) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--model is required (or --report-from FILE to rewrite a report)");
            }
            if (batchSize < 1 || batchSize > 4096) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--batch-size " + batchSize
                        + " must be in 1..4096");
            }
            measure(stdout);
        }
        stdout.flush();
        return CommandLine.ExitCode.OK;
    }

    /** The named {@code --config}; an unknown name is a usage error naming the option. */
    <T> T namedConfig(Function<String, T> byName, String name) {
        try {
            return byName.apply(name);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--config: " + e.getMessage());
        }
    }
}
