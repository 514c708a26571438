package io.varshift.trainer.experiment;

import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The subcommand is wired into the trainer's command line, with its usage errors. */
@QuarkusMainTest
class ExperimentCommandTest {

    @Test
    @Launch(value = {"experiment", "--help"})
    void helpListsTheSweepOptions(LaunchResult result) {
        assertThat(result.getOutput()).contains("--config", "--budget-minutes", "--out", "--report-only");
    }

    @Test
    @Launch(value = {"experiment", "--budget-minutes", "0"}, exitCode = 2)
    void aZeroBudgetIsAUsageError(LaunchResult result) {
        assertThat(result.getErrorOutput()).contains("--budget-minutes 0.0 is out of range");
    }
}
