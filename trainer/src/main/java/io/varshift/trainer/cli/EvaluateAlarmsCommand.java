package io.varshift.trainer.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.artifact.ModelArtifact;
import io.varshift.core.artifact.ModelStore;
import io.varshift.trainer.TrainerConfig;
import io.varshift.trainer.evaluate.AlarmEvaluation;
import io.varshift.trainer.evaluate.AlarmReport;
import io.varshift.trainer.evaluate.EvaluationConfig;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code trainer evaluate-alarms}: offline, no Kafka. Measures a model's realised false-alarm rates and
 * its power on the test images its calibration never saw; prints the tables, writes alarms.json and,
 * with {@code --report}, the markdown report. {@code --report-from} rewrites the report from a stored
 * JSON alone.
 */
@Command(name = "evaluate-alarms", mixinStandardHelpOptions = true,
        description = "Measure realised false-alarm rates (shuffled, same-class runs, skewed class mixes) and power"
                + " and delay under the replay shifts on test images the calibration never saw; writes alarms.json.")
class EvaluateAlarmsCommand implements Callable<Integer> {

    static final Path DEFAULT_REPORT = Path.of("src/site/markdown/alarm-evaluation.md");

    @Inject
    TrainerConfig config;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", description = "model name in the store (required unless --report-from)")
    String model;

    @Option(names = "--version", description = "model version (default: latest)")
    Integer version;

    @Option(names = "--config", defaultValue = "default",
            description = "quick (a few hundred windows, 1000 unseen images) | default (10000 windows per cell)")
    String configName;

    @Option(names = "--out", description = "folder for alarms.json (default: <model-store>/evaluations/NAME-vVERSION)")
    Path out;

    @Option(names = "--batch-size", defaultValue = "256", description = "samples per eval-mode forward")
    int batchSize;

    @Option(names = "--report", description = "also write the markdown report (and its -power.png) here,"
            + " e.g. " + "src/site/markdown/alarm-evaluation.md")
    Path report;

    @Option(names = "--report-from", description = "evaluate nothing: write the report from this alarms.json"
            + " (to --report, default src/site/markdown/alarm-evaluation.md)")
    Path reportFrom;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        if (reportFrom != null) {
            if (model != null) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--report-from rewrites a report from JSON alone; drop --model " + model);
            }
            Path target = report == null ? DEFAULT_REPORT : report;
            Path chart = AlarmReport.read(reportFrom).write(target, reportFrom.toString());
            stdout.println("report " + target + " and " + chart + " written from " + reportFrom);
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
        EvaluationConfig evaluation;
        try {
            evaluation = EvaluationConfig.named(configName);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--config: " + e.getMessage());
        }
        AlarmEvaluation evaluator = new AlarmEvaluation(new ModelStore(config.modelStore()), config.dataDir());
        ModelArtifact artifact = evaluator.artifact(model, version);
        JobCommand.ConsoleProgress progress = new JobCommand.ConsoleProgress(System.err);
        ObjectNode result;
        try {
            result = evaluator.evaluate(artifact, evaluation, batchSize, progress);
        } finally {
            progress.finish();
        }
        Path dir = out != null ? out : AlarmEvaluation.defaultOut(config.modelStore(), artifact.name(),
                artifact.version());
        Path json = AlarmEvaluation.write(result, dir);
        AlarmReport tables = new AlarmReport(result);
        stdout.print(tables.falseAlarmTable());
        stdout.println();
        stdout.print(tables.powerTable());
        stdout.println("results written to " + json);
        if (report != null) {
            Path chart = tables.write(report, json.toString());
            stdout.println("report " + report + " and " + chart + " written");
        }
        stdout.flush();
        return CommandLine.ExitCode.OK;
    }
}
