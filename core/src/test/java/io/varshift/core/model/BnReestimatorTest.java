package io.varshift.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import io.varshift.core.data.ImageSet;
import io.varshift.core.moments.ChannelMoments;
import io.varshift.core.probe.BnMomentsCollector;
import io.varshift.core.probe.BnProbes;
import io.varshift.core.spec.ModelSpec.DropoutKind;
import io.varshift.core.spec.ModelSpec.DropoutPlacement;
import io.varshift.core.spec.ModelSpec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class BnReestimatorTest {

    @Test
    void afterReestimationEveryLayersMeasuredInputMatchesItsStoredStatistics() {
        for (ModelSpec.Architecture architecture : ModelSpec.Architecture.values()) {
            ModelSpec spec = Fixtures.tinyConvNet().setArchitecture(architecture)
                    .optDropout(DropoutPlacement.BEFORE_BN, DropoutKind.BERNOULLI).optDropRatio(0.5).build();
            try (NDManager manager = NDManager.newBaseManager()) {
                Block block = Fixtures.initialised(spec, manager);
                BnProbes probes = BnProbes.attach(block);
                Fixtures.giveNonTrivialRunningStats(probes);
                NDArray x = Fixtures.input(manager, spec, 40, 9);
                ImageSet data = ImageSet.ofFloats(x.toFloatArray(), null, spec.inputShape());
                List<Integer> done = new ArrayList<>();

                List<BnReestimator.LayerAdjustment> changes =
                        BnReestimator.reestimate(block, data, 16, manager, done::add);

                assertThat(done).containsExactly(range(probes.layerCount()));
                assertThat(changes).extracting(BnReestimator.LayerAdjustment::layer)
                        .containsExactlyElementsOf(probes.layerNames());
                // One fresh measurement over the same data: every layer, later ones included, must now agree.
                BnMomentsCollector check = BnMomentsCollector.attach(probes, false);
                Fixtures.evalForward(block, manager, x);
                for (int layer = 0; layer < probes.layerCount(); layer++) {
                    ChannelMoments m = check.moments(layer);
                    double[] mean = probes.runningMean(layer);
                    double[] var = probes.runningVar(layer);
                    for (int c = 0; c < m.channels(); c++) {
                        assertThat(m.variance(c) / var[c]).as("%s layer %d channel %d", architecture, layer, c)
                                .isCloseTo(1.0, within(1e-4));
                        assertThat(m.mean(c)).isCloseTo(mean[c], within(1e-4 * Math.sqrt(var[c])));
                    }
                }
            }
        }
    }

    @Test
    void theReportedRatioIsTheChannelAveragedVarianceRatio() {
        BnReestimator.LayerAdjustment a = new BnReestimator.LayerAdjustment("l",
                new double[2], new double[] {1, 3}, new double[2], new double[] {0.5, 1.5});
        assertThat(a.varianceRatioBefore()).isEqualTo(0.5);
    }

    @Test
    void emptyDataIsRefused() {
        ModelSpec spec = Fixtures.tinyConvNet().build();
        try (NDManager manager = NDManager.newBaseManager()) {
            Block block = Fixtures.initialised(spec, manager);
            ImageSet empty = ImageSet.ofFloats(new float[0], null, spec.inputShape());
            assertThatThrownBy(() -> BnReestimator.reestimate(block, empty, 8, manager))
                    .hasMessageContaining("needs data");
        }
    }

    private static Integer[] range(int n) {
        Integer[] out = new Integer[n];
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        return out;
    }
}
