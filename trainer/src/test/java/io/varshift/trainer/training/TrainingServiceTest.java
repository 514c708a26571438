package io.varshift.trainer.training;

import ai.djl.ndarray.NDManager;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.varshift.core.artifact.ModelArtifact;
import io.varshift.core.artifact.ModelStore;
import io.varshift.core.calibration.ClassConditionalBaseline;
import io.varshift.core.calibration.ModelCalibration;
import io.varshift.core.data.BatchFeeder;
import io.varshift.core.data.FashionMnist;
import io.varshift.core.data.ImageSet;
import io.varshift.core.json.Json;
import io.varshift.core.model.LoadedModel;
import io.varshift.core.model.ModelLoader;
import io.varshift.core.reference.LayerReference;
import io.varshift.trainer.jobs.TrainRequest;
import io.varshift.trainer.progress.JobContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A small real training run on a Fashion-MNIST subset (seconds on a CPU). */
class TrainingServiceTest {

    @TempDir
    Path store;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TrainingService service = new TrainingService(FashionMnist.DEFAULT_DIR, new TrainingMetrics(registry));

    private static TrainRequest request(String model, int limit) {
        return new TrainRequest(model, TrainRequest.spec("convnet", 8, 2, "before-bn", "bernoulli", 0.3, 0, 7),
                1, 64, limit, 500, 300, List.of(64), 1e-4, 200);
    }

    @Test
    void aSubsetTrainsWellAboveChanceAndTheStoredArtifactReproducesTheEvalOutputsExactly() {
        TrainRequest request = request("subset", 2000);
        try (TrainingService.Trained trained = service.train(request.plan(), JobContext.silent())) {
            assertThat(trained.reference().accuracy()).isGreaterThan(0.3);
            // 500 test images and the last 300 training images, which are not trained on, calibrate.
            assertThat(trained.summary().get("heldOutSamples").asInt()).isEqualTo(500);
            assertThat(trained.summary().get("validationSamples").asInt()).isEqualTo(300);
            assertThat(trained.summary().get("calibrationSamples").asInt()).isEqualTo(800);
            assertThat(registry.get("varshift_trainer_epoch_loss").tag("model", "subset").gauge().value())
                    .isPositive();
            ModelCalibration calibration = trained.reference().reference().calibration().orElseThrow();
            assertThat(calibration.windowSizes()).containsExactly(64);
            assertThat(calibration.layers()).extracting(ClassConditionalBaseline::layer)
                    .containsExactlyElementsOf(trained.reference().reference().layers().stream()
                            .map(LayerReference::name).toList());
            assertThat(calibration.heldOutSamples()).isEqualTo(800);

            ModelStore models = new ModelStore(store);
            int version = ArtifactWriter.write(models, "subset", trained.spec(), trained.model().getBlock(),
                    trained.reference().reference(), Json.object());
            ModelArtifact artifact = models.load("subset", version);
            ImageSet sample = FashionMnist.installed().test().slice(0, 100);
            BatchFeeder feeder = new BatchFeeder(100, sample.sampleShape());
            try (LoadedModel loaded = ModelLoader.load(artifact);
                 NDManager m = NDManager.newBaseManager()) {
                float[] mine = trained.model().getBlock().forward(
                        new ai.djl.training.ParameterStore(m, false),
                        new ai.djl.ndarray.NDList(feeder.images(m, sample, 0, 100)), false)
                        .singletonOrThrow().toFloatArray();
                float[] theirs = loaded.forward(m, feeder.images(m, sample, 0, 100)).toFloatArray();
                assertThat(theirs).containsExactly(mine);
                assertThat(loaded.reference().layers()).extracting(LayerReference::name)
                        .containsExactly("block1.bn1", "block1.bn2", "block2.bn1", "block2.bn2");
            }
        }
    }

    @Test
    void theSameSeedTrainsTheSameParametersOnTheCpu() {
        byte[] first;
        try (TrainingService.Trained a = service.train(request("seeded", 500).plan(), JobContext.silent())) {
            first = ModelLoader.saveParams(a.model().getBlock());
        }
        try (TrainingService.Trained b = service.train(request("seeded", 500).plan(), JobContext.silent())) {
            assertThat(ModelLoader.saveParams(b.model().getBlock())).isEqualTo(first);
        }
    }
}
