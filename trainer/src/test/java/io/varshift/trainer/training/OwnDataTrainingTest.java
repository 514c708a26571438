package io.varshift.trainer.training;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.varshift.core.artifact.ModelArtifact;
import io.varshift.core.artifact.ModelStore;
import io.varshift.core.data.BatchFeeder;
import io.varshift.core.data.FashionMnist;
import io.varshift.core.data.ImageSet;
import io.varshift.core.data.SyntheticImages;
import io.varshift.core.json.Json;
import io.varshift.core.model.LoadedModel;
import io.varshift.core.model.ModelLoader;
import io.varshift.core.spec.ModelSpec;
import io.varshift.trainer.evaluate.HeldOutTestImages;
import io.varshift.trainer.jobs.TrainRequest;
import io.varshift.trainer.jobs.UserData;
import io.varshift.trainer.progress.JobContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Training on a user's own images: a generated folder of 3-channel 32×32 PNGs in 4 classes and the
 * same images as an NPY pair. The artifact takes the data's shape and class names, records where the
 * data came from, and its held-out part is dealt again identically for report and Adjust BN.
 */
class OwnDataTrainingTest {

    @TempDir
    Path dir;

    private final TrainingService service = new TrainingService(FashionMnist.DEFAULT_DIR,
            new TrainingMetrics(new SimpleMeterRegistry()));

    private static TrainRequest request(String model, UserData data) {
        return new TrainRequest(model, TrainRequest.spec("convnet", 8, 2, "none", "bernoulli", 0, 0, 5),
                5, 16, 0, 0, 0, List.of(32), 1e-3, 200, data, null);
    }

    @Test
    void anImageFolderTrainsAModelOfItsShapeAndClassesThatLoadsAndDealsItsHeldOutPartAgain() {
        Path folder = SyntheticImages.writeFolder(dir.resolve("folder"), 4, 100, 3, 32, 32, 1);
        TrainRequest request = request("own-folder", new UserData(folder.toString(), 0.25, 0, 0, 0));
        ModelStore models = new ModelStore(dir.resolve("store"));
        try (TrainingService.Trained trained = service.train(request.plan(), JobContext.silent())) {
            assertThat(trained.spec().inputShape()).containsExactly(3, 32, 32);
            assertThat(trained.spec().classes()).containsExactly("blob-a", "blob-b", "blob-c", "blob-d");
            // 4 colours of blob on grey noise: 5 epochs of 300 images learn them well above chance (0.25).
            assertThat(trained.reference().accuracy()).isGreaterThan(0.6);
            JsonNode data = trained.summary().get("data");
            assertThat(data.get("kind").asText()).isEqualTo("image-folder");
            assertThat(data.get("samples").asInt()).isEqualTo(400);
            assertThat(trained.summary().get("calibrationSamples").asInt()).isEqualTo(100);
            assertThat(trained.summary().get("trainingSamples").asInt()).isEqualTo(300);

            ObjectNode sections = Json.object();
            sections.set("training", trained.summary());
            int version = ArtifactWriter.write(models, "own-folder", trained.spec(), trained.model().getBlock(),
                    trained.reference().reference(), sections);
            ModelArtifact artifact = models.load("own-folder", version);
            TrainingData again = TrainingData.forModel(artifact, FashionMnist.DEFAULT_DIR);
            assertThat(again.heldOut().size()).isEqualTo(100);
            ImageSet held = again.heldOut();
            try (LoadedModel loaded = ModelLoader.load(artifact); NDManager m = NDManager.newBaseManager()) {
                assertThat(loaded.spec()).isEqualTo(trained.spec());
                BatchFeeder feeder = new BatchFeeder(100, held.sampleShape());
                float[] logits = loaded.forward(m, feeder.images(m, held, 0, 100)).toFloatArray();
                int correct = 0;
                for (int i = 0; i < 100; i++) {
                    int best = 0;
                    for (int k = 1; k < 4; k++) {
                        best = logits[i * 4 + k] > logits[i * 4 + best] ? k : best;
                    }
                    correct += best == held.label(i) ? 1 : 0;
                }
                // The re-dealt held-out part is the one the reference measured: the same accuracy exactly.
                assertThat(correct / 100.0).isEqualTo(trained.reference().accuracy());
            }
            assertThatThrownBy(() -> HeldOutTestImages.of(artifact, "evaluate-alarms"))
                    .hasMessageContaining("was trained on image folder").hasMessageContaining("Fashion-MNIST model");
            // A class folder renamed: same count and shape, other names; report and Adjust BN must not remap labels.
            try {
                java.nio.file.Files.move(folder.resolve("blob-d"), folder.resolve("zebra"));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            assertThatThrownBy(() -> TrainingData.forModel(artifact, FashionMnist.DEFAULT_DIR))
                    .hasMessageContaining("cannot be dealt again").hasMessageContaining("zebra");
        }
    }

    @Test
    void labelledNpyArraysTrainTheSameWayWithTheirClassNames() {
        Path npy = SyntheticImages.writeNpy(dir.resolve("npy"), 4, 100, 3, 32, 32, 2);
        try (TrainingService.Trained trained = service.train(request("own-npy", new UserData(npy.toString(), 0.25,
                0, 0, 0)).plan(), JobContext.silent())) {
            assertThat(trained.spec().inputShape()).containsExactly(3, 32, 32);
            assertThat(trained.spec().classes()).containsExactly("blob-a", "blob-b", "blob-c", "blob-d");
            assertThat(trained.summary().get("data").get("kind").asText()).isEqualTo("npy");
            assertThat(trained.reference().accuracy()).isGreaterThan(0.5);
        }
    }

    @Test
    void theResNetAndMobileNetFamiliesTrainOnTheSameDataAndLoadByTheirSpec() {
        Path folder = SyntheticImages.writeFolder(dir.resolve("families"), 4, 30, 3, 32, 32, 4);
        ModelStore models = new ModelStore(dir.resolve("families-store"));
        for (ModelSpec spec : List.of(TrainRequest.spec("resnet", 4, 2, 18, "before-bn", "bernoulli", 0.2, 0, 5),
                TrainRequest.spec("mobilenet", 4, 2, 0, "none", "bernoulli", 0, 0, 5))) {
            // The mobilenet also normalises its input in its first layer; the artifact carries that.
            boolean mobile = spec.architecture() == ModelSpec.Architecture.MOBILENET;
            ModelSpec.Normalization normalization = mobile ? new ModelSpec.Normalization(List.of(0.5, 0.5, 0.5),
                    List.of(0.25, 0.25, 0.25)) : null;
            TrainRequest request = new TrainRequest("family", spec, 1, 16, 0, 0, 0, List.of(16), 1e-3, 200,
                    new UserData(folder.toString(), 0.25, 0, 0, 0), normalization);
            try (TrainingService.Trained trained = service.train(request.plan(), JobContext.silent())) {
                int version = ArtifactWriter.write(models, "family", trained.spec(), trained.model().getBlock(),
                        trained.reference().reference(), Json.object());
                try (LoadedModel loaded = ModelLoader.load(models.load("family", version))) {
                    assertThat(loaded.spec()).isEqualTo(trained.spec());
                    assertThat(loaded.spec().inputShape()).containsExactly(3, 32, 32);
                    assertThat(loaded.spec().normalization().orElse(null)).isEqualTo(normalization);
                    // Every BN of the family is probed and has a reference.
                    assertThat(loaded.reference().layers()).hasSize(spec.architecture() == ModelSpec.Architecture.RESNET
                            ? 10 : 5);
                }
            }
        }
    }

    @Test
    void aHeldOutFolderIsHeldOutWholeAndMustHaveTheSameClasses() {
        Path train = SyntheticImages.writeFolder(dir.resolve("train"), 4, 12, 3, 16, 16, 8);
        Path held = SyntheticImages.writeFolder(dir.resolve("held"), 4, 5, 3, 16, 16, 9);
        TrainingData data = TrainingData.user(new UserData(train.toString(), 0.2, 0, 0, 0, held.toString()), 1);
        assertThat(data.train().size()).isEqualTo(48);
        assertThat(data.heldOut().size()).isEqualTo(20);
        assertThat(data.description().get("heldOutPath").asText()).isEqualTo(held.toString());
        Path threeClasses = SyntheticImages.writeFolder(dir.resolve("three"), 3, 5, 3, 16, 16, 10);
        assertThatThrownBy(() -> TrainingData.user(new UserData(train.toString(), 0.2, 0, 0, 0,
                threeClasses.toString()), 1)).hasMessageContaining("both folders need the same classes");
    }

    @Test
    void aHeldOutPartSmallerThanOneWindowIsRefusedBeforeTraining() {
        Path small = SyntheticImages.writeFolder(dir.resolve("tiny"), 4, 10, 3, 16, 16, 11);
        TrainRequest request = new TrainRequest("tiny", TrainRequest.spec("convnet", 4, 2, 0, "none", "bernoulli", 0, 0,
                5, true), 1000, 16, 0, 0, 0, List.of(1000), 1e-3, 200, new UserData(small.toString(), 0.25, 0, 0, 0),
                null);
        long started = System.nanoTime();
        assertThatThrownBy(() -> service.train(request.plan(), JobContext.silent()))
                .hasMessageContaining("window size 1000 but only 10 held-out samples");
        // 1000 epochs would take minutes; refused before the first.
        assertThat((System.nanoTime() - started) / 1e9).isLessThan(30);
        assertThatThrownBy(() -> new UserData(small.toString(), 0.2, 0, 0, 0, small.toString()))
                .hasMessageContaining("is the training folder itself");
    }

    @Test
    void aFolderImageSizeAndChannelsConvertTheImagesAndNpyDataRefuseThem() {
        Path folder = SyntheticImages.writeFolder(dir.resolve("small"), 4, 20, 3, 32, 32, 3);
        TrainingData grey = TrainingData.user(new UserData(folder.toString(), 0.5, 1, 16, 16), 1);
        assertThat(grey.inputShape()).containsExactly(1, 16, 16);
        assertThat(grey.train().size() + grey.heldOut().size()).isEqualTo(80);
        Path npy = SyntheticImages.writeNpy(dir.resolve("npy-shape"), 4, 5, 3, 32, 32, 4);
        assertThatThrownBy(() -> TrainingData.user(new UserData(npy.toString(), 0.5, 1, 0, 0), 1))
                .hasMessageContaining("keep their own shape");
        assertThatThrownBy(() -> TrainingData.user(new UserData(folder.toString(), 0.001, 0, 0, 0), 1))
                .hasMessageContaining("both parts need images");
        assertThatThrownBy(() -> new UserData(folder.toString(), 1.5, 0, 0, 0))
                .hasMessageContaining("hold out a share in (0, 0.9]");
        ModelSpec fashion = TrainRequest.spec("convnet", 8, 2, "none", "bernoulli", 0, 0, 5);
        assertThatThrownBy(() -> new TrainRequest("x", fashion, 1, 32, 0, 0, 100, List.of(32), 1e-3, 200,
                new UserData(folder.toString(), 0.5, 0, 0, 0), null))
                .hasMessageContaining("with user data hold out a share (--held-out-fraction");
    }
}
