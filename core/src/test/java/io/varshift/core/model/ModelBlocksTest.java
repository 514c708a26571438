package io.varshift.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.varshift.core.probe.BnProbes;
import io.varshift.core.probe.ProbedBatchNorm;
import io.varshift.core.spec.ModelSpec.Architecture;
import io.varshift.core.spec.ModelSpec.DropoutKind;
import io.varshift.core.spec.ModelSpec.DropoutPlacement;
import io.varshift.core.spec.ModelSpec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ModelBlocksTest {

    @Test
    void convNetNamesTwoBnLayersPerBlockInForwardOrder() {
        ModelSpec spec = ModelSpec.fashionMnist(Architecture.CONVNET).optBlocks(3).build();
        assertThat(ModelBlocks.bnLayerNames(spec))
                .containsExactly("block1.bn1", "block1.bn2", "block2.bn1", "block2.bn2", "block3.bn1", "block3.bn2");
    }

    @Test
    void preResNetNamesBlockLayersThenTheHead() {
        ModelSpec spec = ModelSpec.fashionMnist(Architecture.PRERESNET).optBlocks(2).build();
        assertThat(ModelBlocks.bnLayerNames(spec))
                .containsExactly("block1.bn1", "block1.bn2", "block2.bn1", "block2.bn2", "head.bn");
    }

    @Test
    void everyArchitectureMapsABatchToClassScoresAndProbesLayersInForwardOrder() {
        for (Architecture architecture : Architecture.values()) {
            ModelSpec spec = Fixtures.tinyConvNet().setArchitecture(architecture).build();
            try (NDManager manager = NDManager.newBaseManager()) {
                Block block = Fixtures.initialised(spec, manager);
                List<Integer> order = new ArrayList<>();
                BnProbes probes = BnProbes.attach(block);
                probes.setListener((layer, s1, s2, samples, positions) -> order.add(layer));
                NDArray out = Fixtures.evalForward(block, manager, Fixtures.input(manager, spec, 5, 1));
                assertThat(out.getShape().getShape()).containsExactly(5, 3);
                assertThat(order).as(architecture.id()).hasSize(probes.layerCount())
                        .isSortedAccordingTo(Integer::compare).doesNotHaveDuplicates();
            }
        }
    }

    @Test
    void resNet18NamesTheStemThenEachBlocksBnsWithTheProjectionShortcutLast() {
        ModelSpec spec = ModelSpec.fashionMnist(Architecture.RESNET).optDepth(18).optBlocks(2).build();
        assertThat(ModelBlocks.bnLayerNames(spec)).containsExactly("stem.bn",
                "stage1.block1.bn1", "stage1.block1.bn2", "stage1.block2.bn1", "stage1.block2.bn2",
                "stage2.block1.bn1", "stage2.block1.bn2", "stage2.block1.shortcut.bn",
                "stage2.block2.bn1", "stage2.block2.bn2");
    }

    @Test
    void resNet34HasThreeThenFourBlocksInItsFirstStages() {
        ModelSpec spec = ModelSpec.fashionMnist(Architecture.RESNET).optDepth(34).optBlocks(2).build();
        List<String> names = ModelBlocks.bnLayerNames(spec);
        assertThat(names).hasSize(1 + 3 * 2 + 4 * 2 + 1)
                .contains("stage1.block3.bn2", "stage2.block4.bn2")
                .doesNotContain("stage1.block4.bn1", "stage2.block5.bn1", "stage1.block1.shortcut.bn");
    }

    @Test
    void mobileNetNamesTheStemThenADepthwiseAndAPointwiseBnPerStage() {
        ModelSpec spec = ModelSpec.fashionMnist(Architecture.MOBILENET).optBlocks(2).build();
        assertThat(ModelBlocks.bnLayerNames(spec))
                .containsExactly("stem.bn", "stage1.dw.bn", "stage1.pw.bn", "stage2.dw.bn", "stage2.pw.bn");
    }

    @Test
    void resNetAndMobileNetMapA32x32ColourBatchToOneLogitPerClass() {
        for (Architecture architecture : List.of(Architecture.RESNET, Architecture.MOBILENET)) {
            ModelSpec spec = colour32(architecture, 8, 10).build();
            try (NDManager manager = NDManager.newBaseManager()) {
                Block block = Fixtures.initialised(spec, manager);
                NDArray out = Fixtures.evalForward(block, manager, Fixtures.input(manager, spec, 2, 1));
                assertThat(out.getShape().getShape()).as(architecture.id()).containsExactly(2, 10);
                for (float logit : out.toFloatArray()) {
                    assertThat(logit).as(architecture.id()).isFinite();
                }
            }
        }
    }

    @Test
    void resNet18ParameterCountIsTheSumOverConvsBnsAndTheClassifier() {
        int w = 4;
        int c = 3;
        int k = 10;
        ModelSpec spec = colour32(Architecture.RESNET, w, k).build();
        // A BN holds 4 values per channel (gamma, beta, running mean and variance); convs have no bias.
        long stem = 9L * c * w + 4L * w;
        long stage1 = 2 * basicBlock(w, w, false);
        long stage2 = basicBlock(w, 2 * w, true) + basicBlock(2 * w, 2 * w, false);
        long classifier = 2L * w * k + k;
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThat(parameterCount(Fixtures.initialised(spec, manager)))
                    .isEqualTo(stem + stage1 + stage2 + classifier)
                    .isEqualTo(3062);
        }
    }

    @Test
    void mobileNetParameterCountHasOneThreeByThreeFilterPerInputChannelInTheDepthwiseConvs() {
        int w = 4;
        int c = 3;
        int k = 10;
        ModelSpec spec = colour32(Architecture.MOBILENET, w, k).build();
        long stem = 9L * c * w + 4L * w;
        long stage1 = 9L * w + 4L * w + (long) w * w + 4L * w;
        long stage2 = 9L * w + 4L * w + (long) w * 2 * w + 4L * 2 * w;
        long classifier = 2L * w * k + k;
        try (NDManager manager = NDManager.newBaseManager()) {
            Block block = Fixtures.initialised(spec, manager);
            assertThat(parameterCount(block)).isEqualTo(stem + stage1 + stage2 + classifier).isEqualTo(414);
            assertThat(forwardLayers(block).stream().filter(Conv2d.class::isInstance)
                    .map(conv -> conv.getParameters().get("weight").getArray().getShape()))
                    .containsExactly(new Shape(4, 3, 3, 3), new Shape(4, 1, 3, 3), new Shape(4, 4, 1, 1),
                            new Shape(4, 1, 3, 3), new Shape(8, 4, 1, 1));
        }
    }

    @Test
    void resNetAndMobileNetPutBeforeBnDropoutDirectlyBeforeEachBlocksLastBn() {
        assertDropoutsFollowedBy(resNetWithDropout(DropoutPlacement.BEFORE_BN), 4, ".bn2");
        assertDropoutsFollowedBy(mobileNetWithDropout(DropoutPlacement.BEFORE_BN), 2, ".pw.bn");
    }

    @Test
    void resNetAndMobileNetPutBeforeConvDropoutBetweenTheFirstBnsReluAndTheLastConv() {
        for (ModelSpec spec : List.of(resNetWithDropout(DropoutPlacement.BEFORE_CONV),
                mobileNetWithDropout(DropoutPlacement.BEFORE_CONV))) {
            List<Block> layers = forwardLayers(ModelBlocks.build(spec));
            int dropouts = 0;
            for (int i = 0; i < layers.size(); i++) {
                if (isDropout(layers.get(i))) {
                    dropouts++;
                    assertThat(layers.get(i + 1)).isInstanceOf(Conv2d.class);
                    assertThat(layers.get(i - 2)).isInstanceOfSatisfying(ProbedBatchNorm.class,
                            bn -> assertThat(bn.layerName()).matches("stage\\d\\.(block\\d\\.bn1|dw\\.bn)"));
                }
            }
            int blocks = spec.architecture() == Architecture.RESNET ? 4 : 2;
            assertThat(dropouts).as(spec.architecture().id()).isEqualTo(blocks);
        }
    }

    @Test
    void twoBuildsOfOneSpecHaveTheSameParametersInTheSameOrder() {
        ModelSpec spec = Fixtures.tinyConvNet().setArchitecture(Architecture.PRERESNET)
                .optDropout(DropoutPlacement.BEFORE_CONV, DropoutKind.UOUT).optUoutBeta(0.5).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThat(describe(Fixtures.initialised(spec, manager)))
                    .isEqualTo(describe(Fixtures.initialised(spec, manager)))
                    .isNotEmpty();
        }
    }

    @Test
    void beforeBnPutsADropoutDirectlyBeforeEveryBlocksLastBn() {
        ModelSpec spec = Fixtures.tinyConvNet().optDropout(DropoutPlacement.BEFORE_BN, DropoutKind.BERNOULLI)
                .optDropRatio(0.5).build();
        List<Block> layers = new ArrayList<>(ModelBlocks.build(spec).getChildren().values());
        int dropouts = 0;
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i) instanceof Dropout) {
                dropouts++;
                assertThat(layers.get(i + 1)).isInstanceOfSatisfying(ProbedBatchNorm.class,
                        bn -> assertThat(bn.layerName()).endsWith(".bn2"));
            }
        }
        assertThat(dropouts).isEqualTo(spec.blocks());
    }

    @Test
    void afterBnPutsOneDropoutRightBeforeTheClassifier() {
        for (Architecture architecture : Architecture.values()) {
            ModelSpec spec = Fixtures.tinyConvNet().setArchitecture(architecture)
                    .optDropout(DropoutPlacement.AFTER_BN, DropoutKind.BERNOULLI).optDropRatio(0.2).build();
            SequentialBlock net = (SequentialBlock) ModelBlocks.build(spec);
            List<Block> layers = new ArrayList<>(net.getChildren().values());
            assertThat(layers.get(layers.size() - 1)).isInstanceOf(Linear.class);
            assertThat(layers.get(layers.size() - 2)).isInstanceOf(Dropout.class);
            assertThat(layers.stream().filter(Dropout.class::isInstance)).hasSize(1);
        }
    }

    @Test
    void bernoulliDropoutDropsTheDropRatioAndScalesKeptUnitsByOneOverRetainRatio() {
        ModelSpec spec = Fixtures.tinyConvNet().optDropout(DropoutPlacement.AFTER_BN, DropoutKind.BERNOULLI)
                .optDropRatio(0.3).build();
        Block dropout = ModelBlocks.dropout(spec);
        int n = 200_000;
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray ones = manager.ones(new Shape(n));
            float[] train = dropout.forward(new ParameterStore(manager, false), new NDList(ones), true)
                    .singletonOrThrow().toFloatArray();
            int dropped = 0;
            for (float v : train) {
                if (v == 0f) {
                    dropped++;
                } else {
                    assertThat(v).isCloseTo((float) (1 / spec.retainRatio()), within(1e-5f));
                }
            }
            double sigma = Math.sqrt(0.3 * 0.7 / n);
            assertThat((double) dropped / n).isCloseTo(spec.dropRatio(), within(5 * sigma));
            float[] eval = dropout.forward(new ParameterStore(manager, false), new NDList(ones), false)
                    .singletonOrThrow().toFloatArray();
            assertThat(eval).containsOnly(1f);
        }
    }

    @Test
    void uoutMultipliesByOnePlusUniformNoiseInTrainingAndIsTheIdentityInEval() {
        float beta = 0.6f;
        UoutBlock uout = new UoutBlock(beta);
        int n = 200_000;
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray twos = manager.full(new Shape(n), 2f);
            float[] train = uout.forward(new ParameterStore(manager, false), new NDList(twos), true)
                    .singletonOrThrow().toFloatArray();
            double sum = 0;
            double sumSq = 0;
            for (float v : train) {
                assertThat(v).isBetween(2 * (1 - beta) - 1e-5f, 2 * (1 + beta) + 1e-5f);
                sum += v;
                sumSq += (double) v * v;
            }
            double mean = sum / n;
            double var = sumSq / n - mean * mean;
            // x + x·r with x = 2: mean 2, variance 4·β²/3.
            double expectedVar = 4 * beta * beta / 3.0;
            assertThat(mean).isCloseTo(2.0, within(5 * Math.sqrt(expectedVar / n)));
            assertThat(var).isCloseTo(expectedVar, within(0.02 * expectedVar));
            assertThat(uout.forward(new ParameterStore(manager, false), new NDList(twos), false)
                    .singletonOrThrow().toFloatArray()).containsOnly(2f);
        }
    }

    /** Colour 32x32 inputs as in CIFAR: [3, 32, 32], two stages, k classes. */
    private static ModelSpec.Builder colour32(Architecture architecture, int width, int classes) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < classes; i++) {
            names.add("class" + i);
        }
        return ModelSpec.builder().setArchitecture(architecture).optWidth(width).optBlocks(2)
                .setInputShape(3, 32, 32).setClasses(names).optSeed(5);
    }

    /** Two 3x3 convs with their BNs, plus a 1x1 projection and its BN when the shape changes. */
    private static long basicBlock(int in, int out, boolean project) {
        long main = 9L * in * out + 4L * out + 9L * out * out + 4L * out;
        return project ? main + (long) in * out + 4L * out : main;
    }

    private static ModelSpec resNetWithDropout(DropoutPlacement placement) {
        return Fixtures.tinyConvNet().setArchitecture(Architecture.RESNET)
                .optDropout(placement, DropoutKind.BERNOULLI).optDropRatio(0.5).build();
    }

    private static ModelSpec mobileNetWithDropout(DropoutPlacement placement) {
        return Fixtures.tinyConvNet().setArchitecture(Architecture.MOBILENET)
                .optDropout(placement, DropoutKind.UOUT).optUoutBeta(0.5).build();
    }

    private static void assertDropoutsFollowedBy(ModelSpec spec, int expected, String bnSuffix) {
        List<Block> layers = forwardLayers(ModelBlocks.build(spec));
        int dropouts = 0;
        for (int i = 0; i < layers.size(); i++) {
            if (isDropout(layers.get(i))) {
                dropouts++;
                assertThat(layers.get(i + 1)).isInstanceOfSatisfying(ProbedBatchNorm.class,
                        bn -> assertThat(bn.layerName()).endsWith(bnSuffix));
            }
        }
        assertThat(dropouts).as(spec.architecture().id()).isEqualTo(expected);
    }

    private static boolean isDropout(Block layer) {
        return layer instanceof Dropout || layer instanceof UoutBlock;
    }

    /** The leaf layers (a probed BN counts as one) depth first: a residual block's main path, then its shortcut. */
    private static List<Block> forwardLayers(Block block) {
        List<Block> out = new ArrayList<>();
        if (block instanceof ProbedBatchNorm || block.getChildren().isEmpty()) {
            out.add(block);
        } else {
            block.getChildren().values().forEach(child -> out.addAll(forwardLayers(child)));
        }
        return out;
    }

    private static long parameterCount(Block block) {
        long n = 0;
        for (Pair<String, Parameter> p : block.getParameters()) {
            n += p.getValue().getArray().size();
        }
        return n;
    }

    private static List<String> describe(Block block) {
        List<String> out = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            out.add(p.getKey() + p.getValue().getArray().getShape());
        }
        return out;
    }

    @Test
    void aNormalisedSpecGivesThePlainBlocksOutputsOnInputsNormalisedByHand() {
        ModelSpec.Normalization n = new ModelSpec.Normalization(List.of(0.25), List.of(0.5));
        for (Architecture architecture : Architecture.values()) {
            ModelSpec plain = Fixtures.tinyConvNet().setArchitecture(architecture).build();
            ModelSpec normalised = plain.toBuilder().optNormalization(n).build();
            // No parameters of its own: the same parameter list, so parameter files load by position.
            try (NDManager manager = NDManager.newBaseManager()) {
                Block a = Fixtures.initialised(plain, manager);
                Block b = Fixtures.initialised(normalised, manager);
                assertThat(b.getParameters().size()).isEqualTo(a.getParameters().size());
                for (int i = 0; i < a.getParameters().size(); i++) {
                    b.getParameters().get(i).getValue().getArray().set(
                            a.getParameters().get(i).getValue().getArray().toFloatArray());
                }
                NDArray x = Fixtures.input(manager, plain, 4, 2);
                float[] byHand = Fixtures.evalForward(a, manager, x.sub(0.25).div(0.5)).toFloatArray();
                float[] inBlock = Fixtures.evalForward(b, manager, x).toFloatArray();
                assertThat(inBlock).as(architecture.id()).containsExactly(byHand, within(1e-5f));
            }
        }
    }

    @Test
    void theLayersADropoutFeedsAreReadFromTheBlockForEveryFamily() {
        ModelSpec.Builder beforeBn = Fixtures.tinyConvNet().optDropout(DropoutPlacement.BEFORE_BN, DropoutKind.BERNOULLI)
                .optDropRatio(0.5);
        assertThat(ModelBlocks.bnLayersAfterDropout(beforeBn.build())).containsExactly("block1.bn2", "block2.bn2");
        assertThat(ModelBlocks.bnLayersAfterDropout(beforeBn.setArchitecture(Architecture.MOBILENET).build()))
                .containsExactly("stage1.pw.bn", "stage2.pw.bn");
        assertThat(ModelBlocks.bnLayersAfterDropout(beforeBn.setArchitecture(Architecture.RESNET).build()))
                .containsExactly("stage1.block1.bn2", "stage1.block2.bn2", "stage2.block1.bn2", "stage2.block2.bn2");
        assertThat(ModelBlocks.bnLayersAfterDropout(Fixtures.tinyConvNet()
                .optDropout(DropoutPlacement.BEFORE_CONV, DropoutKind.UOUT).optUoutBeta(0.5).build())).isEmpty();
        assertThat(ModelBlocks.bnLayersAfterDropout(Fixtures.tinyConvNet().setArchitecture(Architecture.PRERESNET)
                .optDropout(DropoutPlacement.BEFORE_BN, DropoutKind.UOUT).optUoutBeta(0.5).build()))
                .containsExactly("block1.bn2", "block2.bn2");
    }
}
