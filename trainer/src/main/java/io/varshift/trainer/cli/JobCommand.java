package io.varshift.trainer.cli;

import ai.djl.training.util.ProgressBar;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import io.varshift.trainer.jobs.JobContext;
import io.varshift.trainer.jobs.JobExecutor;
import io.varshift.trainer.jobs.JobRequest;
import jakarta.inject.Inject;
import picocli.CommandLine;

import java.util.concurrent.Callable;

/** Runs one job in the foreground with DJL's progress bar and prints its result as JSON. */
abstract class JobCommand implements Callable<Integer> {

    @Inject
    JobExecutor executor;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Builds (and thereby validates) the request from the options. */
    abstract JobRequest request();

    @Override
    public Integer call() throws Exception {
        JsonObject result = executor.execute(request(), new ConsoleProgress());
        spec.commandLine().getOut().println(new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
                .create().toJson(result));
        spec.commandLine().getOut().flush();
        return CommandLine.ExitCode.OK;
    }

    /** Shows each phase of a job as one DJL progress bar. */
    private static final class ConsoleProgress implements JobContext {
        private static final long STEPS = 1000;
        private final ProgressBar bar = new ProgressBar();
        private String phase;

        @Override
        public void progress(double fraction, String phase) {
            if (!phase.equals(this.phase)) {
                this.phase = phase;
                bar.reset(phase, STEPS, "");
            }
            bar.update(Math.round(fraction * STEPS), "");
        }

        @Override
        public void checkCancelled() {
        }
    }
}
