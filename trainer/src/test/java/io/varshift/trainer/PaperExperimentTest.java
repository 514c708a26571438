package io.varshift.trainer;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.varshift.core.artifact.ModelStore;
import io.varshift.core.data.FashionMnist;
import io.varshift.trainer.adjust.BnAdjustService;
import io.varshift.trainer.jobs.AdjustBnRequest;
import io.varshift.trainer.jobs.TrainRequest;
import io.varshift.trainer.progress.JobContext;
import io.varshift.trainer.report.ReportPlan;
import io.varshift.trainer.report.ReportService;
import io.varshift.trainer.training.ArtifactWriter;
import io.varshift.trainer.training.ReferenceBuilder;
import io.varshift.trainer.training.TrainingMetrics;
import io.varshift.trainer.training.TrainingService;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The "must show" on full Fashion-MNIST (minutes on a CPU): run with
 * {@code mvn -Dvarshift.target=target-trainer -pl trainer test -Pbench}.
 */
@Tag("bench")
class PaperExperimentTest {

    @TempDir
    Path root;

    private final TrainingService training = new TrainingService(FashionMnist.DEFAULT_DIR,
            new TrainingMetrics(new SimpleMeterRegistry()));

    private int train(ModelStore store, String name, int blocks, String placement, double dropRatio) {
        TrainRequest request = new TrainRequest(name,
                TrainRequest.spec("convnet", 16, blocks, placement, "bernoulli", dropRatio, 0, 42),
                1, 128, 0, 0, 0, List.of(256), 1e-4, 500);
        try (TrainingService.Trained trained = training.train(request.plan(), JobContext.silent())) {
            System.out.printf("%s: %s%n", name, trained.summary());
            JsonObject sections = new JsonObject();
            sections.add("training", trained.summary());
            return ArtifactWriter.write(store, name, trained.spec(), trained.model().getBlock(),
                    trained.reference().reference(), sections);
        }
    }

    @Test
    void aOneEpochConvNetReaches85PercentHeldOut() {
        ModelStore store = new ModelStore(root);
        int version = train(store, "plain", 2, "none", 0);
        JsonObject training = store.load("plain", version).modelJson().getAsJsonObject("training");
        assertThat(training.get("heldOutAccuracy").getAsDouble()).isGreaterThanOrEqualTo(0.85);
    }

    private BnAdjustService adjust() {
        return new BnAdjustService(new ModelStore(root), FashionMnist.DEFAULT_DIR,
                new ReferenceBuilder.Calibration(List.of(256), 1e-4, 500, 42));
    }

    @Test
    void adjustBnRaisesHeldOutAccuracyWhenDropoutBeforeEveryBlocksLastBnShiftsItsInputs() {
        ModelStore store = new ModelStore(root);
        int version = train(store, "deep-dropout", 2, "before-bn", 0.5);
        JsonObject adjusted = adjust().adjust(new AdjustBnRequest("deep-dropout", version, 10_000, 512).plan(),
                JobContext.silent()).toJson();
        System.out.println(adjusted);
        assertThat(adjusted.get("accuracyAfter").getAsDouble())
                .isGreaterThan(adjusted.get("accuracyBefore").getAsDouble());
    }

    @Test
    void dropoutBeforeBnShowsTheTheoreticalShiftAndAdjustBnRemovesIt() {
        ModelStore store = new ModelStore(root);
        ReportService reports = new ReportService(store, FashionMnist.DEFAULT_DIR, root.resolve("reports"));
        // One block: exactly one dropout, directly before block1.bn2; block1.bn1 sees no dropout.
        int version = train(store, "dropout", 1, "before-bn", 0.5);

        JsonObject before = reports.report(new ReportPlan("dropout", version, 10_000, 512), JobContext.silent())
                .toJson();
        System.out.println(before);
        for (JsonElement e : before.getAsJsonArray("layers")) {
            JsonObject layer = e.getAsJsonObject();
            double ratio = layer.getAsJsonObject("train").get("ratio").getAsDouble();
            if (layer.get("layer").getAsString().equals("block1.bn2")) {
                double delta = layer.getAsJsonObject("theory").get("delta").getAsDouble();
                assertThat(ratio).as(layer.get("layer").getAsString()).isLessThan(0.8);
                assertThat(ratio / delta).as(layer.get("layer").getAsString()).isCloseTo(1.0, within(0.05));
            }
            if (layer.get("layer").getAsString().equals("block1.bn1")) {
                assertThat(ratio).as("block1.bn1, before any dropout").isCloseTo(1.0, within(0.05));
            }
        }

        JsonObject adjusted = adjust().adjust(new AdjustBnRequest("dropout", version, 0, 512).plan(),
                JobContext.silent()).toJson();
        System.out.println(adjusted);
        // One dropout before a BN that feeds pool and a wide linear layer barely changes the ranking:
        // allow 20 of the 10 000 held-out samples of noise here; the two-block test needs a real gain.
        assertThat(adjusted.get("accuracyAfter").getAsDouble())
                .isGreaterThanOrEqualTo(adjusted.get("accuracyBefore").getAsDouble() - 0.002);

        JsonObject after = reports.report(new ReportPlan("dropout", adjusted.get("version").getAsInt(), 10_000,
                512), JobContext.silent()).toJson();
        System.out.println(after);
        for (JsonElement e : after.getAsJsonArray("layers")) {
            JsonObject layer = e.getAsJsonObject();
            assertThat(layer.getAsJsonObject("heldOut").get("ratio").getAsDouble())
                    .as(layer.get("layer").getAsString() + " on held-out data").isCloseTo(1.0, within(0.02));
        }
    }
}
