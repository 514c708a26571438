package io.varshift.trainer.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.artifact.ModelArtifact;
import io.varshift.core.artifact.ModelStore;
import io.varshift.trainer.evaluate.AlarmEvaluation;
import io.varshift.trainer.evaluate.AlarmReport;
import io.varshift.trainer.evaluate.EvaluationConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * {@code trainer evaluate-alarms}: offline, no Kafka. Measures a model's realised false-alarm rates and
 * its power on the test images its calibration never saw; prints the tables, writes alarms.json and,
 * with {@code --report}, the markdown report. {@code --report-from} rewrites the report from a stored
 * JSON alone.
 */
@Command(name = "evaluate-alarms", mixinStandardHelpOptions = true,
        description = "Measure realised false-alarm rates (shuffled, same-class runs, skewed class mixes) and power"
                + " and delay under the replay shifts on test images the calibration never saw; writes alarms.json.")
class EvaluateAlarmsCommand extends ModelMeasurementCommand {

    static final Path DEFAULT_REPORT = Path.of("src/site/markdown/alarm-evaluation.md");

    @Option(names = "--config", defaultValue = "default",
            description = "quick (a few hundred windows, 1000 unseen images) | default (10000 windows per cell)")
    String configName;

    @Option(names = "--out", description = "folder for alarms.json (default: <model-store>/evaluations/NAME-vVERSION)")
    Path out;

    @Override
    Path defaultReport() {
        return DEFAULT_REPORT;
    }

    @Override
    void rewriteReport(Path from, Path target, PrintWriter stdout) {
        Path chart = AlarmReport.read(from).write(target, from.toString());
        stdout.println("report " + target + " and " + chart + " written from " + from);
    }

    @Override
    void measure(PrintWriter stdout) {
        EvaluationConfig evaluation = namedConfig(EvaluationConfig::named, configName);
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
    }
}
