package io.varshift.trainer.cli;

import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import io.varshift.core.codec.NpyWriter;
import io.varshift.core.data.FashionMnist;
import io.varshift.core.data.ImageSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Exit codes: 0 ok, 2 bad usage, 1 failure with a one-line message. */
@QuarkusMainTest
class TrainerCommandTest {

    @Test
    @Launch(value = {}, exitCode = 2)
    void noCommandIsAUsageError(LaunchResult result) {
        assertThat(result.getErrorOutput()).contains("missing command");
    }

    @Test
    @Launch(value = {"train"}, exitCode = 2)
    void aMissingRequiredOptionIsAUsageError(LaunchResult result) {
        assertThat(result.getErrorOutput()).contains("--model");
    }

    @Test
    @Launch(value = {"train", "--model", "m", "--width", "0"}, exitCode = 2)
    void anOutOfRangeOptionIsAUsageErrorNamingTheOption(LaunchResult result) {
        assertThat(result.getErrorOutput()).contains("trainer train: --width: model spec: width 0 is out of range");
    }

    @Test
    @Launch(value = {"report", "--model", "Bad/Name"}, exitCode = 2)
    void anInvalidModelNameIsAUsageError(LaunchResult result) {
        assertThat(result.getErrorOutput()).contains("--model: 'Bad/Name' is not a valid model name");
    }

    @Test
    @Launch(value = {"report", "--model", "never-trained"}, exitCode = 1)
    void aJobThatFailsExitsWithOneAndAOneLineMessage(LaunchResult result) {
        assertThat(result.getErrorOutput()).contains("trainer report: failed: model 'never-trained'");
    }

    @Test
    @Launch(value = {"recalibrate", "--model", "never-trained", "no-such-dir"}, exitCode = 1)
    void recalibratingAMissingModelFails(LaunchResult result) {
        assertThat(result.getErrorOutput()).contains("trainer recalibrate: failed:");
    }

    @Test
    void trainThenAdjustBnThenRecalibrateWriteThreeVersionsAndPrintTheirResults(QuarkusMainLauncher launcher,
                                                                                  @TempDir Path traffic)
            throws Exception {
        LaunchResult train = launcher.launch("train", "--model", "cli-smoke", "--width", "4", "--limit", "1000",
                "--held-out", "300", "--window-size", "64", "--replicates", "200");
        assertThat(train.exitCode()).as(train.getErrorOutput()).isZero();
        assertThat(train.getOutput()).contains("\"model\": \"cli-smoke\"").contains("\"heldOutAccuracy\"");
        // Progress goes to stderr, so that stdout carries the result only (this harness adds the log to both).
        assertThat(train.getOutput()).doesNotContain("% |");
        assertThat(train.getErrorOutput()).contains("epoch 1/1").contains("100% |");

        LaunchResult adjust = launcher.launch("adjust-bn", "--model", "cli-smoke", "--limit", "500");
        assertThat(adjust.exitCode()).as(adjust.getErrorOutput()).isZero();
        assertThat(adjust.getOutput()).contains("\"method\": \"adjust-bn\"").contains("\"varianceRatioBefore\"");

        // Captured traffic: 200 held-out images, brighter than in training, as the agent's NPY records.
        ImageSet images = FashionMnist.installed().test().slice(0, 200);
        float[] values = new float[200 * 784];
        for (int i = 0; i < values.length; i++) {
            values[i] = Math.min(1f, images.value(i / 784, i % 784) * 1.5f);
        }
        Files.write(traffic.resolve("part-0.npy"), NpyWriter.float32(values, 200, 1, 28, 28));
        LaunchResult recalibrate = launcher.launch("recalibrate", "--model", "cli-smoke", traffic.toString());
        assertThat(recalibrate.exitCode()).as(recalibrate.getErrorOutput()).isZero();
        assertThat(recalibrate.getOutput()).contains("\"method\": \"recalibrate\"")
                .contains("\"samples\": 200").contains(traffic.toString());
    }

    @Test
    @Launch(value = {"--help"})
    void helpListsTheCommands(LaunchResult result) {
        assertThat(result.getOutput()).contains("train").contains("report").contains("adjust-bn")
                .contains("recalibrate").contains("serve");
    }
}
