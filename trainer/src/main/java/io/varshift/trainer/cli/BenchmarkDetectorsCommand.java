package io.varshift.trainer.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.artifact.ModelArtifact;
import io.varshift.core.artifact.ModelStore;
import io.varshift.trainer.benchmark.BenchmarkConfig;
import io.varshift.trainer.benchmark.DetectorBenchmark;
import io.varshift.trainer.benchmark.DetectorReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

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
class BenchmarkDetectorsCommand extends ModelMeasurementCommand {

    static final Path DEFAULT_REPORT = Path.of("src/site/markdown/detector-benchmark.md");

    @Option(names = "--config", defaultValue = "default",
            description = "quick (three corruptions, small pools: checks the pipeline) | default (the whole suite)")
    String configName;

    @Option(names = "--out", description = "folder for detectors.json (default: <model-store>/benchmarks/NAME-vVERSION)")
    Path out;

    @Override
    Path defaultReport() {
        return DEFAULT_REPORT;
    }

    @Override
    void rewriteReport(Path from, Path target, PrintWriter stdout) {
        List<Path> charts = DetectorReport.read(from).write(target, from.toString(),
                new DetectorBenchmark(config.dataDir()).corruptionGrid());
        stdout.println("report " + target + " and " + charts + " written from " + from);
    }

    @Override
    void measure(PrintWriter stdout) {
        BenchmarkConfig settings = namedConfig(BenchmarkConfig::named, configName);
        DetectorBenchmark benchmark = new DetectorBenchmark(config.dataDir());
        ModelArtifact artifact = new ModelStore(config.modelStore()).loadVersionOrLatest(model, version);
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
    }
}
