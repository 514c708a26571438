package io.varshift.trainer.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ConsoleProgressTest {

    @Test
    void eachPhaseEndsOnItsOwnLineWithItsLastPercentage() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        JobCommand.ConsoleProgress progress = new JobCommand.ConsoleProgress(
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        progress.progress(0.5, "epoch 1/1");
        progress.progress(0.504, "epoch 1/1");
        progress.progress(1.0, "epoch 1/1");
        progress.progress(0.25, "calibration");
        progress.finish();

        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(2);
        // The first line was drawn at 50 % and redrawn once at 100 %: the same percentage is not redrawn.
        assertThat(lines[0].split("\r")).hasSize(3);
        assertThat(lines[0]).endsWith(JobCommand.ConsoleProgress.line("epoch 1/1", 100));
        assertThat(lines[1]).endsWith(JobCommand.ConsoleProgress.line("calibration", 25));
        assertThat(JobCommand.ConsoleProgress.line("calibration", 25)).contains(" 25% |##########          ");
    }
}
