package io.varshift.trainer.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.trainer.jobs.JobExecutor;
import io.varshift.trainer.jobs.JobRequest;
import io.varshift.trainer.progress.JobContext;
import io.varshift.trainer.report.AtomicFiles;
import jakarta.inject.Inject;
import picocli.CommandLine;

import java.io.PrintStream;
import java.util.concurrent.Callable;

/**
 * Runs one job in the foreground, shows its progress on stderr and prints its result as JSON on
 * stdout, so that {@code trainer train ... > result.json} or a pipe into a JSON tool gets JSON only.
 */
abstract class JobCommand implements Callable<Integer> {

    @Inject
    JobExecutor executor;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Builds (and thereby validates) the request from the options. */
    abstract JobRequest request();

    @Override
    public Integer call() throws Exception {
        ConsoleProgress progress = new ConsoleProgress(System.err);
        ObjectNode result;
        try {
            result = executor.execute(request(), progress);
        } finally {
            progress.finish();
        }
        spec.commandLine().getOut().println(AtomicFiles.pretty(result));
        spec.commandLine().getOut().flush();
        return CommandLine.ExitCode.OK;
    }

    /** Shows each phase of a job as one bar, redrawn in place when its whole percentage changes. */
    static final class ConsoleProgress implements JobContext {
        private static final int WIDTH = 40;
        private final PrintStream out;
        private String phase;
        private int percent = -1;

        ConsoleProgress(PrintStream out) {
            this.out = out;
        }

        @Override
        public void progress(double fraction, String phase) {
            if (!phase.equals(this.phase)) {
                finish();
                this.phase = phase;
            }
            int now = (int) Math.floor(Math.max(0, Math.min(1, fraction)) * 100);
            if (now != percent) {
                percent = now;
                out.print("\r" + line(phase, now));
                out.flush();
            }
        }

        /** Ends the current bar's line, if one is shown. */
        void finish() {
            if (percent >= 0) {
                out.println();
                out.flush();
            }
            percent = -1;
        }

        static String line(String phase, int percent) {
            int filled = percent * WIDTH / 100;
            return String.format("%-22s %3d%% |%s%s|", phase, percent, "#".repeat(filled), " ".repeat(WIDTH - filled));
        }

        @Override
        public void checkCancelled() {
        }
    }
}
