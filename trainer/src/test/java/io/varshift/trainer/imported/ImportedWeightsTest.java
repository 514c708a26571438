package io.varshift.trainer.imported;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.varshift.core.model.ModelBlocks;
import io.varshift.core.spec.ModelSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The import round trip against committed fixtures: PyTorch models of Varshift's convnet,
 * preresnet, resnet (depth 18) and mobilenet (width 4, 2 blocks, [3, 16, 16], 4 classes), exported by varshift_export.py with
 * PyTorch's own eval-mode outputs (make-fixture.py beside them). Loaded into the DJL block of the
 * same spec, the outputs agree within 1e-4; a block of another size or family is refused.
 */
class ImportedWeightsTest {

    static Path fixture(String name) {
        try {
            return Path.of(ImportedWeightsTest.class.getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ModelSpec spec(ModelSpec.Architecture architecture, int width) {
        return ModelSpec.builder().setArchitecture(architecture).optWidth(width).optBlocks(2)
                .setInputShape(3, 16, 16).setClasses(List.of("a", "b", "c", "d")).build();
    }

    private static Block initialised(ModelSpec spec, NDManager manager) {
        Block block = ModelBlocks.build(spec);
        block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 16, 16));
        return block;
    }

    @Test
    void everyFamilyExportedFromPyTorchGivesTheSameOutputsInTheDjlBlockWithin1e4() {
        for (var c : List.of(new Object[] {"convnet-w4.npz", ModelSpec.Architecture.CONVNET, 22},
                new Object[] {"preresnet-w4.npz", ModelSpec.Architecture.PRERESNET, 28},
                new Object[] {"resnet18-w4.npz", ModelSpec.Architecture.RESNET, 52},
                new Object[] {"mobilenet-w4.npz", ModelSpec.Architecture.MOBILENET, 27})) {
            ImportedWeights weights = ImportedWeights.read(fixture((String) c[0]));
            assertThat(weights.parameterCount()).isEqualTo((int) c[2]);
            try (NDManager manager = NDManager.newBaseManager()) {
                Block block = initialised(spec((ModelSpec.Architecture) c[1], 4), manager);
                // Before the import the block's random initialisation is far from PyTorch's outputs.
                assertThat(weights.checkDifference(block, manager, new long[] {3, 16, 16})).isGreaterThan(1e-2);
                weights.assignTo(block);
                assertThat(weights.checkDifference(block, manager, new long[] {3, 16, 16}))
                        .as((String) c[0]).isLessThanOrEqualTo(ImportedWeights.TOLERANCE);
            }
        }
    }

    @Test
    void weightsOfAnotherSizeOrFamilyAreRefusedNamingTheFirstParameterThatDoesNotFit() {
        ImportedWeights weights = ImportedWeights.read(fixture("convnet-w4.npz"));
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> weights.assignTo(initialised(spec(ModelSpec.Architecture.CONVNET, 8), manager)))
                    .hasMessageContaining("parameter 0 ('param.000.weight', shape [4, 3, 3, 3])")
                    .hasMessageContaining("export the same architecture and sizes");
            assertThatThrownBy(() -> weights.assignTo(initialised(spec(ModelSpec.Architecture.PRERESNET, 4), manager)))
                    .hasMessageContaining("holds 22 parameters but the model spec's block has 28");
        }
    }

    @Test
    void anArchiveWithoutTheCheckBatchIsRefused(@TempDir Path dir) throws IOException {
        Path stripped = dir.resolve("no-check.npz");
        try (var in = new java.util.zip.ZipInputStream(Files.newInputStream(fixture("convnet-w4.npz")));
             var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(stripped))) {
            for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                if (!e.getName().startsWith("check.")) {
                    out.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                    out.write(in.readAllBytes());
                    out.closeEntry();
                }
            }
        }
        assertThatThrownBy(() -> ImportedWeights.read(stripped)).hasMessageContaining("lacks check.input or check.output")
                .hasMessageContaining("export with a check batch");
    }

    @Test
    void aFileThatIsNotAnExporterArchiveIsRefused(@TempDir Path dir) throws IOException {
        Path text = Files.writeString(dir.resolve("w.npz"), "not a zip");
        assertThatThrownBy(() -> ImportedWeights.read(text)).hasMessageContaining("is not an .npz");
        assertThatThrownBy(() -> ImportedWeights.read(dir.resolve("missing.npz")))
                .hasMessageContaining("does not exist");
    }
}
