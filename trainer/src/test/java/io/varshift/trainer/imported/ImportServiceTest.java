package io.varshift.trainer.imported;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.artifact.ModelArtifact;
import io.varshift.core.artifact.ModelStore;
import io.varshift.core.data.SyntheticImages;
import io.varshift.core.json.Json;
import io.varshift.core.model.LoadedModel;
import io.varshift.core.model.ModelBlocks;
import io.varshift.core.model.ModelLoader;
import io.varshift.core.spec.ModelSpec;
import io.varshift.trainer.jobs.ImportRequest;
import io.varshift.trainer.jobs.TrainRequest;
import io.varshift.trainer.jobs.UserData;
import io.varshift.trainer.progress.JobContext;
import io.varshift.trainer.training.ArtifactWriter;
import io.varshift.trainer.training.TrainingService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The import job on the committed PyTorch fixture: the written artifact loads like a trained one and
 * still reproduces PyTorch's outputs after its parameters went through the store; its reference and
 * calibration come from the held-out part of the user's images.
 */
class ImportServiceTest {

    @TempDir
    Path dir;

    private ImportRequest request(String architecture, Path weights, Path data) {
        return new ImportRequest("imported", TrainRequest.spec(architecture, 4, 2, "none", "bernoulli", 0, 0, 3),
                weights.toString(), new UserData(data.toString(), 0.5, 0, 0, 0), 64, List.of(32), 1e-3, 200);
    }

    @Test
    void anImportedConvNetIsAnArtifactThatStillGivesPyTorchsOutputsAfterTheStore() {
        Path data = SyntheticImages.writeFolder(dir.resolve("data"), 4, 20, 3, 16, 16, 5);
        Path weights = ImportedWeightsTest.fixture("convnet-w4.npz");
        ModelStore models = new ModelStore(dir.resolve("store"));
        try (TrainingService.Trained imported = new ImportService()
                .importWeights(request("convnet", weights, data).plan(), JobContext.silent())) {
            JsonNode summary = imported.summary();
            assertThat(summary.get("imported").get("checkMaxAbsDifference").asDouble())
                    .isLessThanOrEqualTo(ImportedWeights.TOLERANCE);
            assertThat(summary.get("imported").get("sha256").asText()).hasSize(64);
            assertThat(summary.get("calibrationSamples").asInt()).isEqualTo(40);
            assertThat(imported.reference().reference().calibration().orElseThrow().windowSizes()).containsExactly(32);
            ObjectNode sections = Json.object();
            sections.set("training", summary);
            int version = ArtifactWriter.write(models, "imported", imported.spec(), imported.model().getBlock(),
                    imported.reference().reference(), sections);
            ModelArtifact artifact = models.load("imported", version);
            try (LoadedModel loaded = ModelLoader.load(artifact); NDManager m = NDManager.newBaseManager()) {
                assertThat(loaded.spec().inputShape()).containsExactly(3, 16, 16);
                assertThat(loaded.reference().layers()).hasSize(4);
                assertThat(ImportedWeights.read(weights).checkDifference(loaded.block(), m, new long[] {3, 16, 16}))
                        .isLessThanOrEqualTo(ImportedWeights.TOLERANCE);
            }
        }
    }

    @Test
    void aModelTrainedOnNormalisedInputsIsImportedWithItsNormalisationInItsFirstLayer() {
        Path data = SyntheticImages.writeFolder(dir.resolve("norm"), 4, 20, 3, 16, 16, 7);
        Path weights = ImportedWeightsTest.fixture("convnet-w4-normalized.npz");
        try (TrainingService.Trained imported = new ImportService()
                .importWeights(request("convnet", weights, data).plan(), JobContext.silent())) {
            assertThat(imported.spec().normalization()).isPresent();
            assertThat(imported.spec().normalization().orElseThrow().std().get(0)).isCloseTo(0.229, within(1e-6));
            // The check batch is raw; PyTorch's outputs were on the normalised batch: equal within 1e-4 only
            // because the block normalises first.
            assertThat(imported.summary().get("imported").get("checkMaxAbsDifference").asDouble())
                    .isLessThanOrEqualTo(ImportedWeights.TOLERANCE);
        }
        // The same weights in a block without the normalisation do not reproduce PyTorch's outputs.
        ImportedWeights read = ImportedWeights.read(weights);
        ModelSpec plain = TrainRequest.spec("convnet", 4, 2, "none", "bernoulli", 0, 0, 3).toBuilder()
                .setInputShape(3, 16, 16).setClasses(List.of("a", "b", "c", "d")).build();
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = ModelBlocks.build(plain);
            block.initialize(m, DataType.FLOAT32, new Shape(1, 3, 16, 16));
            read.assignTo(block);
            assertThat(read.checkDifference(block, m, new long[] {3, 16, 16})).isGreaterThan(1e-2);
        }
    }

    @Test
    void imagesOfAnotherSizeThanTheExportedModelTookAreRefused() {
        Path data = SyntheticImages.writeFolder(dir.resolve("big"), 4, 20, 3, 32, 32, 6);
        assertThatThrownBy(() -> new ImportService().importWeights(request("convnet",
                ImportedWeightsTest.fixture("convnet-w4.npz"), data).plan(), JobContext.silent()))
                .hasMessageContaining("does not fit the block's parameter 20");
    }
}
