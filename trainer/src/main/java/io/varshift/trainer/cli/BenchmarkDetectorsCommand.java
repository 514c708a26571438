package io.varshift.trainer.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.artifact.ModelArtifact;
import io.varshift.core.artifact.ModelStore;
import io.varshift.trainer.TrainerConfig;
import io.varshift.trainer.benchmark.BenchmarkConfig;
import io.varshift.trainer.benchmark.DetectorBenchmark;
import io.varshift.trainer.benchmark.DetectorReport;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code trainer benchmark-detectors}: offline, no Kafka. Varshift's BN detector against the peers'
 * detectors on the corruption suite, with label-free recovery; prints the tables, writes
 * detectors.json and, with {@code --report}, the markdown report and its charts. {@code --report-from}
 * rewrites the report from a stored JSON alone.
 */
@Command(name = "benchmark-detectors", mixinStandardHelpOptions = true,
        description = "Compare Varshift's BN detector with per-pixel KS, MMD on penultimate features and softmax BBSD"
                + " on the corruption suite (test images the calibration never saw), and measure accuracy after BN"
                + " re-estimation on unlabeled corrupted images; writes detectors.json.")
class BenchmarkDetectorsCommand implements Callable<Integer> {

    static final Path DEFAULT_REPORT = Path.of("src/site/markdown/detector-benchmark.md");

    @Inject
    TrainerConfig config;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", description = "model name in the store (required unless --report-from)")
    String model;

    @Option(names = "--version", description = "model version (default: latest)")
    Integer version;

    @Option(names = "--config", defaultValue = "default",
            description = "quick (three corruptions, small pools: checks the pipeline) | default (the whole suite)")
    String configName;

    @Option(names = "--out", description = "folder for detectors.json (default: <model-store>/benchmarks/NAME-vVERSION)")
    Path out;

    @Option(names = "--batch-size", defaultValue = "256", description = "samples per eval-mode forward")
    int batchSize;

    @Option(names = "--report", description = "also write the markdown report and its PNGs here, e.g. "
            + "src/site/markdown/detector-benchmark.md")
    Path report;

    @Option(names = "--report-from", description = "benchmark nothing: write the report from this detectors.json"
            + " (to --report, default src/site/markdown/detector-benchmark.md)")
    Path reportFrom;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        DetectorBenchmark benchmark = new DetectorBenchmark(config.dataDir());
        if (reportFrom != null) {
            if (model != null) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--report-from rewrites a report from JSON alone; drop --model " + model);
            }
            Path target = report == null ? DEFAULT_REPORT : report;
            List<Path> charts = DetectorReport.read(reportFrom).write(target, reportFrom.toString(),
                    benchmark.corruptionGrid());
            stdout.println("report " + target + " and " + charts + " written from " + reportFrom);
            stdout.flush();
            return CommandLine.ExitCode.OK;
        }
        if (model == null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--model is required (or --report-from FILE to rewrite a report)");
        }
        if (batchSize < 1 || batchSize > 4096) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--batch-size " + batchSize
                    + " must be in 1..4096");
        }
        BenchmarkConfig settings;
        try {
            settings = BenchmarkConfig.named(configName);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--config: " + e.getMessage());
        }
        ModelStore store = new ModelStore(config.modelStore());
        ModelArtifact artifact = store.loadVersionOrLatest(model, version);
        JobCommand.ConsoleProgress progress = new JobCommand.ConsoleProgress(System.err);
        ObjectNode result;
        try {
            result = benchmark.run(artifact, settings, batchSize, progress);
        } finally {
            progress.finish();
        }
        Path dir = out != null ? out : DetectorBenchmark.defaultOut(config.modelStore(), artifact.name(),
                artifact.version());
        Path json = DetectorBenchmark.write(result, dir);
        DetectorReport tables = new DetectorReport(result);
        stdout.print(tables.consoleTables());
        stdout.println("results written to " + json);
        if (report != null) {
            List<Path> charts = tables.write(report, json.toString(), benchmark.corruptionGrid());
            stdout.println("report " + report + " and " + charts + " written");
        }
        stdout.flush();
        return CommandLine.ExitCode.OK;
    }
}
