package io.varshift.trainer.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.artifact.ModelArtifact;
import io.varshift.core.corruption.ShiftKind;
import io.varshift.core.data.ImageSet;
import io.varshift.trainer.TrainerJobs;
import io.varshift.trainer.benchmark.DetectorBenchmark;
import io.varshift.trainer.remediation.RemediationBench;
import io.varshift.trainer.report.AtomicFiles;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code trainer benchmark-remediation}: offline, no Kafka. The remediation loop's policy and checks on
 * each replay shift, labels kept aside: accuracy on the shifted traffic before and after, time from onset
 * to recovery; prints a table and writes remediation.json.
 */
@Command(name = "benchmark-remediation", mixinStandardHelpOptions = true,
        description = "Measure the remediation loop on every replay shift (test images the calibration never saw):"
                + " accuracy on the shifted traffic before and after, time from onset to recovery; writes"
                + " remediation.json.")
class BenchmarkRemediationCommand implements Callable<Integer> {

    @Inject
    TrainerJobs jobs;

    @Inject
    io.varshift.trainer.TrainerConfig config;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, description = "model name in the store")
    String model;

    @Option(names = "--version", description = "model version (default: latest)")
    Integer version;

    @Option(names = "--shift", split = ",", description = "shifts (default: all 18 replay shifts)")
    List<String> shifts;

    @Option(names = "--severity", defaultValue = "0.5", description = "shift severity (default ${DEFAULT-VALUE})")
    double severity;

    @Option(names = "--window-size", defaultValue = "256", description = "agent window, a calibrated size"
            + " (default ${DEFAULT-VALUE})")
    int window;

    @Option(names = "--clean-windows", defaultValue = "4", description = "clean windows before the onset")
    int cleanWindows;

    @Option(names = "--persist-windows", defaultValue = "3", description = "ALARM windows that trigger (K)")
    int persistWindows;

    @Option(names = "--records", defaultValue = "2000", description = "samples to recalibrate on (M)")
    int records;

    @Option(names = "--verify-windows", defaultValue = "3", description = "windows that verify the candidate")
    int verifyWindows;

    @Option(names = "--accuracy-margin", defaultValue = "0.1", description = "clean held-out accuracy margin")
    double accuracyMargin;

    @Option(names = "--rate", defaultValue = "1000", description = "traffic records per second for the clock")
    double rate;

    @Option(names = "--reload-seconds", defaultValue = "10", description = "the agent's reload interval")
    double reloadSeconds;

    @Option(names = "--out", description = "folder for remediation.json (default: <model-store>/benchmarks/NAME-vVERSION)")
    Path out;

    @Override
    public Integer call() {
        List<ShiftKind> kinds = new ArrayList<>();
        if (shifts == null) {
            kinds.addAll(Arrays.asList(ShiftKind.values()));
        } else {
            for (String name : shifts) {
                kinds.add(Arrays.stream(ShiftKind.values()).filter(k -> k.cliName().equals(name)).findFirst()
                        .orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(), "--shift: unknown"
                                + " shift '" + name + "'; use one of " + Arrays.stream(ShiftKind.values())
                                .map(ShiftKind::cliName).toList())));
            }
        }
        if (!(severity >= 0 && severity <= 1) || !(rate > 0) || reloadSeconds < 0 || cleanWindows < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--severity must be in [0, 1], --rate > 0,"
                    + " --reload-seconds >= 0 and --clean-windows >= 1");
        }
        ModelArtifact artifact = jobs.store().loadVersionOrLatest(model, version);
        ImageSet traffic = RemediationBench.unseenTestImages(artifact, jobs.adjust().dataDir());
        JobCommand.ConsoleProgress progress = new JobCommand.ConsoleProgress(System.err);
        ObjectNode result;
        try {
            result = new RemediationBench(jobs.adjust()).run(artifact, traffic, new RemediationBench.Settings(kinds,
                    severity, window, cleanWindows, persistWindows, records, verifyWindows, accuracyMargin, rate,
                    reloadSeconds, 2000, 1), progress);
        } finally {
            progress.finish();
        }
        Path dir = out != null ? out : DetectorBenchmark.defaultOut(config.modelStore(), artifact.name(),
                artifact.version());
        Path json = dir.resolve("remediation.json");
        AtomicFiles.writeJson(json, result, "remediation bench results");
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.print(RemediationBench.table(result));
        stdout.println("results written to " + json);
        stdout.flush();
        return CommandLine.ExitCode.OK;
    }
}
