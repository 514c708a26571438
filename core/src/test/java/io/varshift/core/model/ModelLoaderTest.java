package io.varshift.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.artifact.ArtifactContents;
import io.varshift.core.artifact.ArtifactException;
import io.varshift.core.artifact.ModelStore;
import io.varshift.core.probe.BnProbes;
import io.varshift.core.reference.LayerReference;
import io.varshift.core.reference.ModelReference;
import io.varshift.core.spec.ModelSpec.Architecture;
import io.varshift.core.spec.ModelSpec.DropoutKind;
import io.varshift.core.spec.ModelSpec.DropoutPlacement;
import io.varshift.core.spec.ModelSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelLoaderTest {

    /** What the trainer writes: spec JSON, reference JSON and one params file. */
    private record Saved(ObjectNode modelJson, ObjectNode referenceJson, Path params, float[] outputs) {
    }

    private static Saved save(ModelSpec spec, Path dir) throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block block = Fixtures.initialised(spec, manager);
            BnProbes probes = BnProbes.attach(block);
            Fixtures.giveNonTrivialRunningStats(probes);
            Path params = Files.write(dir.resolve(ModelLoader.PARAMS_FILE), ModelLoader.saveParams(block));
            float[] outputs = Fixtures.evalForward(block, manager, Fixtures.input(manager, spec, 5, 77)).toFloatArray();
            return new Saved(spec.toJson(), ModelLoader.reference(probes).toJson(), params, outputs);
        }
    }

    @Test
    void aSavedModelLoadsIntoAFreshBlockAndReproducesItsEvalOutputsExactly(@TempDir Path dir) throws IOException {
        for (Architecture architecture : Architecture.values()) {
            ModelSpec spec = Fixtures.tinyConvNet().setArchitecture(architecture)
                    .optDropout(DropoutPlacement.BEFORE_BN, DropoutKind.BERNOULLI).optDropRatio(0.5).build();
            Saved saved = save(spec, dir);
            try (LoadedModel model = ModelLoader.load("fmnist", 3, saved.modelJson(), saved.referenceJson(),
                         List.of(saved.params()));
                 NDManager manager = model.model().getNDManager().newSubManager()) {
                NDArray out = model.forward(manager, Fixtures.input(manager, spec, 5, 77));
                assertThat(out.toFloatArray()).as(architecture.id()).containsExactly(saved.outputs());
                assertThat(model.spec()).isEqualTo(spec);
                assertThat(model.probes().layerNames()).isEqualTo(ModelBlocks.bnLayerNames(spec));
                assertThat(model.reference().layers()).hasSize(model.probes().layerCount());
                assertThat(model.name()).isEqualTo("fmnist");
                assertThat(model.version()).isEqualTo(3);
            }
        }
    }

    @Test
    void aModelWrittenToTheStoreLoadsBackWithIdenticalOutputs(@TempDir Path dir) throws IOException {
        ModelSpec spec = Fixtures.tinyConvNet().setArchitecture(Architecture.PRERESNET).build();
        Saved saved = save(spec, Files.createDirectories(dir.resolve("work")));
        ModelStore store = new ModelStore(dir.resolve("store"));
        int version = store.write("fmnist", ArtifactContents.builder().setModelJson(saved.modelJson())
                .setReferenceJson(saved.referenceJson()).addParams(ModelLoader.PARAMS_FILE, saved.params()).build());
        try (LoadedModel model = ModelLoader.load(store.loadLatest("fmnist"));
             NDManager manager = model.model().getNDManager().newSubManager()) {
            assertThat(model.version()).isEqualTo(version);
            assertThat(model.forward(manager, Fixtures.input(manager, spec, 5, 77)).toFloatArray())
                    .containsExactly(saved.outputs());
        }
    }

    @Test
    void paramsOfADifferentWidthAreRefusedNamingModelVersionAndFile(@TempDir Path dir) throws IOException {
        ModelSpec spec = Fixtures.tinyConvNet().build();
        Saved saved = save(spec.toBuilder().optWidth(6).build(), dir);
        assertThatThrownBy(() -> ModelLoader.load("fmnist", 4, spec.toJson(), saved.referenceJson(),
                List.of(saved.params())))
                .isInstanceOf(ArtifactException.class)
                .hasMessageContaining("fmnist")
                .hasMessageContaining("model.params does not fit the convnet spec");
    }

    @Test
    void truncatedParamsAreRefused(@TempDir Path dir) throws IOException {
        ModelSpec spec = Fixtures.tinyConvNet().build();
        Saved saved = save(spec, dir);
        byte[] bytes = Files.readAllBytes(saved.params());
        Files.write(saved.params(), Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> ModelLoader.load("fmnist", 1, saved.modelJson(), saved.referenceJson(),
                List.of(saved.params())))
                .isInstanceOf(ArtifactException.class)
                .hasMessageContaining("model.params does not fit");
    }

    @Test
    void aReferenceThatDisagreesWithTheParamsIsRefused(@TempDir Path dir) throws IOException {
        ModelSpec spec = Fixtures.tinyConvNet().build();
        Saved saved = save(spec, dir);
        ModelReference reference = ModelReference.fromJson(saved.referenceJson());

        List<LayerReference> renamed = new ArrayList<>(reference.layers());
        LayerReference first = renamed.get(0);
        renamed.set(0, new LayerReference("conv1.bn", first.runningMean(), first.runningVar()));
        assertThatThrownBy(() -> ModelLoader.load("fmnist", 1, saved.modelJson(),
                new ModelReference(renamed).toJson(), List.of(saved.params())))
                .hasMessageContaining("reference.json layers [conv1.bn");

        List<LayerReference> shifted = new ArrayList<>(reference.layers());
        double[] mean = first.runningMean();
        mean[2] += 0.5;
        shifted.set(0, new LayerReference(first.name(), mean, first.runningVar()));
        assertThatThrownBy(() -> ModelLoader.load("fmnist", 1, saved.modelJson(),
                new ModelReference(shifted).toJson(), List.of(saved.params())))
                .hasMessageContaining("layer block1.bn1 channel 2 has running mean/var");
    }

    @Test
    void anInvalidSpecOrAMissingParamsFileIsAnArtifactError(@TempDir Path dir) throws IOException {
        ModelSpec spec = Fixtures.tinyConvNet().build();
        Saved saved = save(spec, dir);
        ObjectNode badSpec = saved.modelJson().deepCopy();
        badSpec.put("blocks", 0);
        assertThatThrownBy(() -> ModelLoader.load("fmnist", 2, badSpec, saved.referenceJson(), List.of(saved.params())))
                .isInstanceOf(ArtifactException.class).hasMessageContaining("blocks 0 is out of range");
        assertThatThrownBy(() -> ModelLoader.load("fmnist", 2, saved.modelJson(), saved.referenceJson(), List.of()))
                .isInstanceOf(ArtifactException.class).hasMessageContaining("expected exactly one params file");
    }
}
