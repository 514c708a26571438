package io.varshift.core.probe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.varshift.core.calibration.SampleContributions;
import io.varshift.core.model.Fixtures;
import io.varshift.core.model.ModelLoader;
import io.varshift.core.moments.ChannelMoments;
import io.varshift.core.spec.ModelSpec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class BnProbesTest {

    private static final ModelSpec SPEC = Fixtures.tinyConvNet().build();

    @Test
    void probeMomentsEqualABruteForceComputationOfEveryBnInput() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block block = Fixtures.initialised(SPEC, manager);
            BnProbes probes = probedWithNonTrivialStats(block);
            BnMomentsCollector collector = BnMomentsCollector.attach(probes, false);
            NDArray x = Fixtures.input(manager, SPEC, 6, 11);
            Fixtures.evalForward(block, manager, x.get("0:4"));
            Fixtures.evalForward(block, manager, x.get("4:6"));
            probes.setListener(null);

            List<NDArray> bnInputs = bnInputsByHand(block, manager, x);
            assertThat(bnInputs).hasSize(probes.layerCount());
            for (int layer = 0; layer < probes.layerCount(); layer++) {
                NDArray in = bnInputs.get(layer);
                int channels = Math.toIntExact(in.getShape().get(1));
                int positions = Math.toIntExact(in.getShape().slice(2).size());
                float[] values = in.toFloatArray();
                ChannelMoments got = collector.moments(layer);
                assertThat(got.channels()).isEqualTo(channels);
                assertThat(got.count()).isEqualTo(6L * positions);
                assertThat(got.shift()).containsExactly(probes.runningMean(layer));
                assertMomentsOf(got, values, 6, channels, positions, layer);
            }
        }
    }

    @Test
    void cellMeansOfEveryLayerEqualTheGridMeansOfItsInputComputedByHand() {
        // 8 x 8 and 4 x 4 maps: equal cells, the pooling path; 10 x 6 and 5 x 3: unequal cells, the matrix path.
        cellMeansMatchTheBruteForce(SPEC);
        cellMeansMatchTheBruteForce(Fixtures.tinyConvNet().setInputShape(1, 10, 6).build());
    }

    private static void cellMeansMatchTheBruteForce(ModelSpec spec) {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block block = Fixtures.initialised(spec, manager);
            BnProbes probes = probedWithNonTrivialStats(block);
            BnMomentsCollector collector = BnMomentsCollector.attach(probes, true);
            NDArray x = Fixtures.input(manager, spec, 5, 13);
            Fixtures.evalForward(block, manager, x.get("0:3"));
            Fixtures.evalForward(block, manager, x.get("3:5"));
            probes.setListener(null);
            List<NDArray> bnInputs = bnInputsByHand(block, manager, x);
            for (int layer = 0; layer < probes.layerCount(); layer++) {
                NDArray in = bnInputs.get(layer);
                int channels = Math.toIntExact(in.getShape().get(1));
                int positions = Math.toIntExact(in.getShape().slice(2).size());
                CellGrid grid = CellGrid.of(in.getShape().slice(2).getShape());
                SampleContributions rows = collector.sampleContributions(layer);
                assertThat(rows.hasCells()).isTrue();
                assertThat(rows.cellsPerChannel()).isEqualTo(grid.cells());
                float[] values = in.toFloatArray();
                float[] got = rows.cellMeans();
                assertThat(got).hasSize(rows.cellFeatures() * 5);
                // With cells wanted, Σx comes from the cell means (equal or unequal cells): the moments still hold.
                assertMomentsOf(collector.moments(layer), values, 5, channels, positions, layer);
                double[] expected = new double[grid.cells()];
                for (int n = 0; n < 5; n++) {
                    for (int c = 0; c < channels; c++) {
                        grid.cellMeans(values, (n * channels + c) * positions, expected);
                        for (int k = 0; k < grid.cells(); k++) {
                            assertThat((double) got[(n * channels + c) * grid.cells() + k])
                                    .as("layer %d sample %d channel %d cell %d", layer, n, c, k)
                                    .isCloseTo(expected[k], within(1e-5 * (1 + Math.abs(expected[k]))));
                        }
                    }
                }
            }
        }
    }

    @Test
    void listenerRowsHoldEachSamplesShiftedSums() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block block = Fixtures.initialised(SPEC, manager);
            BnProbes probes = probedWithNonTrivialStats(block);
            List<float[]> rows = new ArrayList<>();
            probes.setListener((layer, s1, s2, samples, positions) -> {
                if (layer == 0) {
                    assertThat(samples).isEqualTo(3);
                    assertThat(positions).isEqualTo(64);
                    rows.add(s1);
                    rows.add(s2);
                }
            });
            NDArray x = Fixtures.input(manager, SPEC, 3, 5);
            Fixtures.evalForward(block, manager, x);
            probes.setListener(null);
            float[] values = bnInputsByHand(block, manager, x).get(0).toFloatArray();
            double[] shift = probes.runningMean(0);
            int channels = probes.channels(0);
            int positions = 64;
            float[] s1 = rows.get(0);
            float[] s2 = rows.get(1);
            for (int n = 0; n < 3; n++) {
                for (int c = 0; c < channels; c++) {
                    double sum = 0;
                    double sumSq = 0;
                    for (int p = 0; p < positions; p++) {
                        double d = values[(n * channels + c) * positions + p] - shift[c];
                        sum += d;
                        sumSq += d * d;
                    }
                    assertThat((double) s1[n * channels + c]).isCloseTo(sum, within(1e-4 * (1 + Math.abs(sum))));
                    assertThat((double) s2[n * channels + c]).isCloseTo(sumSq, within(1e-5 * sumSq));
                }
            }
        }
    }

    @Test
    void theProbeShiftFollowsTheRunningMeanWhenItChangesBetweenForwards() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block block = Fixtures.initialised(SPEC, manager);
            BnProbes probes = BnProbes.attach(block);
            NDArray x = Fixtures.input(manager, SPEC, 3, 21);
            // First forward with the initial running mean (0), so that the probe holds a shift from then.
            assertSumsAreShiftedByTheCurrentRunningMean(block, probes, manager, x);

            Fixtures.giveNonTrivialRunningStats(probes);
            assertSumsAreShiftedByTheCurrentRunningMean(block, probes, manager, x);

            // A training forward moves the running mean in place.
            block.forward(new ParameterStore(manager, false), new NDList(Fixtures.input(manager, SPEC, 4, 22)), true);
            assertSumsAreShiftedByTheCurrentRunningMean(block, probes, manager, x);

            // Loading params replaces the parameter arrays.
            Block other = Fixtures.initialised(SPEC, manager);
            BnProbes otherProbes = BnProbes.attach(other);
            for (int layer = 0; layer < otherProbes.layerCount(); layer++) {
                double[] mean = new double[otherProbes.channels(layer)];
                java.util.Arrays.fill(mean, -0.75 + layer);
                double[] var = new double[mean.length];
                java.util.Arrays.fill(var, 2);
                otherProbes.setRunningStats(layer, mean, var);
            }
            byte[] params = ModelLoader.saveParams(other);
            block.loadParameters(manager, new java.io.DataInputStream(new java.io.ByteArrayInputStream(params)));
            assertThat(probes.runningMean(0)).containsOnly(-0.75);
            assertSumsAreShiftedByTheCurrentRunningMean(block, probes, manager, x);
        }
    }

    /** Every layer's probe s1 equals a brute-force Σ (x − k_c) with k_c the layer's running mean now. */
    private static void assertSumsAreShiftedByTheCurrentRunningMean(Block block, BnProbes probes, NDManager manager,
                                                                   NDArray x) {
        List<float[]> s1ByLayer = new ArrayList<>();
        probes.setListener((layer, s1, s2, samples, positions) -> s1ByLayer.add(s1));
        Fixtures.evalForward(block, manager, x);
        probes.setListener(null);
        List<NDArray> inputs = bnInputsByHand(block, manager, x);
        for (int layer = 0; layer < probes.layerCount(); layer++) {
            double[] shift = probes.runningMean(layer);
            int channels = shift.length;
            float[] values = inputs.get(layer).toFloatArray();
            int positions = values.length / (3 * channels);
            for (int n = 0; n < 3; n++) {
                for (int c = 0; c < channels; c++) {
                    double sum = 0;
                    for (int p = 0; p < positions; p++) {
                        sum += values[(n * channels + c) * positions + p] - shift[c];
                    }
                    assertThat((double) s1ByLayer.get(layer)[n * channels + c]).as("layer %d sample %d channel %d",
                            layer, n, c).isCloseTo(sum, within(1e-4 * (1 + Math.abs(sum))));
                }
            }
        }
    }

    @Test
    void keptSampleContributionsAddUpToTheCollectedMoments() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block block = Fixtures.initialised(SPEC, manager);
            BnProbes probes = probedWithNonTrivialStats(block);
            BnMomentsCollector collector = BnMomentsCollector.attach(probes, true);
            NDArray x = Fixtures.input(manager, SPEC, 7, 8);
            Fixtures.evalForward(block, manager, x.get("0:3"));
            Fixtures.evalForward(block, manager, x.get("3:7"));
            for (int layer = 0; layer < probes.layerCount(); layer++) {
                SampleContributions kept = collector.sampleContributions(layer);
                assertThat(kept.samples()).isEqualTo(7);
                assertThat(kept.positionsPerSample()).isEqualTo(collector.positions(layer));
                ChannelMoments total = kept.total();
                for (int c = 0; c < total.channels(); c++) {
                    assertThat(total.variance(c)).isCloseTo(collector.moments(layer).variance(c), within(1e-12));
                }
            }
            assertThatThrownBy(() -> BnMomentsCollector.attach(probes, false).sampleContributions(0))
                    .hasMessageContaining("keepSamples = true");
        }
    }

    @Test
    void nothingIsProbedInTrainingMode() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block block = Fixtures.initialised(SPEC, manager);
            List<Integer> calls = new ArrayList<>();
            BnProbes.attach(block).setListener((layer, s1, s2, samples, positions) -> calls.add(layer));
            block.forward(new ParameterStore(manager, false), new NDList(Fixtures.input(manager, SPEC, 4, 2)), true);
            assertThat(calls).isEmpty();
            Fixtures.evalForward(block, manager, Fixtures.input(manager, SPEC, 4, 2));
            assertThat(calls).containsExactly(0, 1, 2, 3);
        }
    }

    @Test
    void runningStatsCanBeReadAndReplaced() {
        try (NDManager manager = NDManager.newBaseManager()) {
            BnProbes probes = BnProbes.attach(Fixtures.initialised(SPEC, manager));
            assertThat(probes.channels(2)).isEqualTo(8);
            assertThat(probes.runningMean(2)).containsOnly(0.0);
            assertThat(probes.runningVar(2)).containsOnly(1.0);
            double[] mean = {1, 2, 3, 4, 5, 6, 7, 8};
            double[] var = {.5, .25, 2, 4, 1, 1, 1, 1};
            probes.setRunningStats(2, mean, var);
            assertThat(probes.runningMean(2)).containsExactly(mean);
            assertThat(probes.runningVar(2)).containsExactly(var);
        }
    }

    @Test
    void invalidRunningStatsAreRefusedWithTheLayerNamed() {
        try (NDManager manager = NDManager.newBaseManager()) {
            BnProbes probes = BnProbes.attach(Fixtures.initialised(SPEC, manager));
            assertThatThrownBy(() -> probes.setRunningStats(0, new double[3], new double[3]))
                    .hasMessageContaining("block1.bn1 has 4 channels");
            assertThatThrownBy(() -> probes.setRunningStats(1, new double[4], new double[] {1, 0, 1, 1}))
                    .hasMessageContaining("block1.bn2 channel 1");
            assertThatThrownBy(() -> probes.runningMean(9)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void aBlockWithoutProbedBatchNormIsRefused() {
        assertThatThrownBy(() -> BnProbes.attach(new ai.djl.nn.SequentialBlock()))
                .hasMessageContaining("no ProbedBatchNorm");
    }

    /** Every channel's mean and variance in {@code got} against a double brute force over {@code values}. */
    private static void assertMomentsOf(ChannelMoments got, float[] values, int samples, int channels, int positions,
            int layer) {
        for (int c = 0; c < channels; c++) {
            double[] direct = meanAndPopulationVariance(values, samples, channels, positions, c);
            assertThat(got.mean(c)).as("layer %d channel %d mean", layer, c)
                    .isCloseTo(direct[0], within(1e-5 * (1 + Math.abs(direct[0]))));
            assertThat(got.variance(c)).as("layer %d channel %d variance", layer, c)
                    .isCloseTo(direct[1], within(1e-4 * direct[1]));
        }
    }

    private static BnProbes probedWithNonTrivialStats(Block block) {
        BnProbes probes = BnProbes.attach(block);
        Fixtures.giveNonTrivialRunningStats(probes);
        return probes;
    }

    /** Runs the ConvNet's top-level children one by one and keeps what enters each BN. */
    static List<NDArray> bnInputsByHand(Block block, NDManager manager, NDArray x) {
        ParameterStore store = new ParameterStore(manager, false);
        List<NDArray> inputs = new ArrayList<>();
        NDList current = new NDList(x);
        for (Block child : block.getChildren().values()) {
            if (child instanceof ProbedBatchNorm bn) {
                inputs.add(current.singletonOrThrow());
                current = bn.batchNorm().forward(store, current, false);
            } else {
                current = child.forward(store, current, false);
            }
        }
        return inputs;
    }

    private static double[] meanAndPopulationVariance(float[] nchw, int n, int channels, int positions, int c) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < positions; p++) {
                sum += nchw[(i * channels + c) * positions + p];
            }
        }
        double mean = sum / (n * positions);
        double sq = 0;
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < positions; p++) {
                double d = nchw[(i * channels + c) * positions + p] - mean;
                sq += d * d;
            }
        }
        return new double[] {mean, sq / (n * positions)};
    }
}
