package io.varshift.core.spec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.varshift.core.spec.ModelSpec.Architecture;
import io.varshift.core.spec.ModelSpec.DropoutKind;
import io.varshift.core.spec.ModelSpec.DropoutPlacement;
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
    void bothArchitecturesMapABatchToClassScoresAndProbeLayersInForwardOrder() {
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
            NDArray ones = manager.ones(new ai.djl.ndarray.types.Shape(n));
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
            NDArray twos = manager.full(new ai.djl.ndarray.types.Shape(n), 2f);
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

    private static List<String> describe(Block block) {
        List<String> out = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            out.add(p.getKey() + p.getValue().getArray().getShape());
        }
        return out;
    }
}
