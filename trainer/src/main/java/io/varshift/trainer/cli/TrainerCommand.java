package io.varshift.trainer.cli;

import io.varshift.trainer.jobs.InvalidRequestException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/** {@code trainer <command>}: exit 0 ok, 2 bad usage, 1 failure with a one-line message. */
@Command(name = "trainer", mixinStandardHelpOptions = true,
        description = "Trains, measures, adjusts and recalibrates the models Varshift watches.",
        subcommands = {TrainCommand.class, ReportCommand.class, AdjustBnCommand.class, RecalibrateCommand.class,
                ServeCommand.class, io.varshift.trainer.experiment.ExperimentCommand.class, EvaluateAlarmsCommand.class,
                BenchmarkDetectorsCommand.class, BenchmarkRemediationCommand.class, ImportCommand.class})
public class TrainerCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "missing command: train, import, report, adjust-bn, recalibrate, serve, experiment, evaluate-alarms,"
                        + " benchmark-detectors or benchmark-remediation");
    }

    /** The command line with the exit-code policy: invalid parameters are usage errors (2). */
    public static CommandLine commandLine(CommandLine.IFactory factory) {
        CommandLine cli = new CommandLine(TrainerCommand.class, factory);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            String name = commandLine.getCommandSpec().qualifiedName();
            if (e instanceof InvalidRequestException invalid) {
                err.println(name + ": " + option(invalid.field()) + ": " + invalid.detail());
                return CommandLine.ExitCode.USAGE;
            }
            err.println(name + ": failed: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return CommandLine.ExitCode.SOFTWARE;
        });
        return cli;
    }

    /** The command-line spelling of a request field: batchSize → --batch-size. */
    static String option(String field) {
        return "--" + field.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }
}
