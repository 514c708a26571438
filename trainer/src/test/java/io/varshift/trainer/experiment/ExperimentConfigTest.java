package io.varshift.trainer.experiment;

import io.varshift.core.spec.ModelSpec.DropoutPlacement;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExperimentConfigTest {

    @Test
    void theDefaultSweepHas56CellsAndRunsThePapersTable3CellsForEverySeedFirst() {
        ExperimentConfig c = ExperimentConfig.loadResource(ExperimentConfig.DEFAULT_RESOURCE);

        List<Cell> cells = c.cells();
        // per seed and architecture: none, 4 before-bn, 1 before-conv, 4 after-bn, 4 Uout
        assertThat(cells).hasSize(2 * 2 * 14).doesNotHaveDuplicates();
        assertThat(cells.subList(0, 12)).extracting(Cell::key).containsExactly(
                "convnet_w8_none_seed1", "convnet_w8_before-bn_bernoulli_drop0.50_seed1",
                "convnet_w8_before-conv_bernoulli_drop0.50_seed1",
                "preresnet_w8_none_seed1", "preresnet_w8_before-bn_bernoulli_drop0.50_seed1",
                "preresnet_w8_before-conv_bernoulli_drop0.50_seed1",
                "convnet_w8_none_seed2", "convnet_w8_before-bn_bernoulli_drop0.50_seed2",
                "convnet_w8_before-conv_bernoulli_drop0.50_seed2",
                "preresnet_w8_none_seed2", "preresnet_w8_before-bn_bernoulli_drop0.50_seed2",
                "preresnet_w8_before-conv_bernoulli_drop0.50_seed2");
        assertThat(cells.get(cells.size() - 1).kind()).isEqualTo(io.varshift.core.spec.ModelSpec.DropoutKind.UOUT);
    }

    @Test
    void theResearchSweepRunsTable3ThenTheWidthSweepAndSharesTheCellAtItsOwnWidth() {
        ExperimentConfig c = ExperimentConfig.resolve("research");

        List<Cell> cells = c.cells();
        // per seed: 2 architectures x (none, 4 before-bn, before-conv, after-bn, 3 Uout) + widths 4, 8, 32
        assertThat(cells).hasSize(5 * (2 * 10 + 3)).doesNotHaveDuplicates();
        assertThat(c.trainSamples()).isEqualTo(60_000);
        assertThat(c.seeds()).hasSize(5);
        // the 30 Table 3 cells over all seeds come first, then the width sweep
        assertThat(cells.subList(30, 33)).extracting(Cell::key).containsExactly(
                "convnet_w4_before-conv_bernoulli_drop0.50_seed1", "convnet_w8_before-conv_bernoulli_drop0.50_seed1",
                "convnet_w32_before-conv_bernoulli_drop0.50_seed1");
        assertThat(cells).contains(c.widthCell(16, 3));
    }

    @Test
    void aConfigIsABundledNameOrAFileAndAnUnknownNameSaysWhichExist() {
        assertThat(ExperimentConfig.resolve("quick").name()).isEqualTo("quick");
        assertThatThrownBy(() -> ExperimentConfig.resolve("reserch"))
                .hasMessageContaining("not a bundled config; bundled configs are [default, quick, research, full]");
    }

    @Test
    void aWidthSweepNeedsTheConvnet() {
        assertThatThrownBy(() -> ExperimentConfig.parse(ExperimentRunTest.TINY.replace("[\"convnet\"]",
                "[\"preresnet\"]").replace("\"seeds\"", "\"widthSweep\": {\"dropRatio\": 0.5, \"widths\": [2]},"
                + " \"seeds\""), "t")).hasMessageContaining("field 'widths' needs convnet among the architectures");
    }

    @Test
    void theFullSweepParses() {
        ExperimentConfig c = ExperimentConfig.loadResource("/experiment/full.json");

        assertThat(c.bernoulli()).extracting(ExperimentConfig.Sweep::placement).containsExactly(
                DropoutPlacement.BEFORE_BN, DropoutPlacement.BEFORE_CONV, DropoutPlacement.AFTER_BN);
    }

    @Test
    void aCellKeepsTheRetainRatioAsOneMinusTheDropRatio() {
        Cell cell = ExperimentConfig.parse(ExperimentRunTest.TINY, "tiny").cells().get(1);

        assertThat(cell.dropRatio()).isEqualTo(0.5);
        assertThat(cell.spec(ExperimentConfig.parse(ExperimentRunTest.TINY, "tiny")).retainRatio()).isEqualTo(0.5);
        assertThat(Cell.bernoulli(cell.architecture(), 2, DropoutPlacement.AFTER_BN, 0.3, 1).retainRatio())
                .isEqualTo(0.7, org.assertj.core.api.Assertions.within(1e-12));
    }

    @Test
    void aDropRatioOfOneIsRejectedWithTheFieldAndTheRange() {
        assertThatThrownBy(() -> ExperimentConfig.parse(ExperimentRunTest.TINY.replace("[0.5]}]", "[1.0]}]"), "t"))
                .hasMessageContaining("field 'dropRatios' value 1.0 must lie strictly between 0.0 and 1.0");
    }

    @Test
    void anUnknownFieldIsRejectedListingTheKnownOnes() {
        assertThatThrownBy(() -> ExperimentConfig.parse(ExperimentRunTest.TINY.replace("\"name\"", "\"nmae\""), "t"))
                .hasMessageContaining("field 'nmae' is not a known field");
    }

    @Test
    void trainingSettingsChangeTheFingerprintSoOldCellsAreNotReused() {
        ExperimentConfig a = ExperimentConfig.parse(ExperimentRunTest.TINY, "a");
        ExperimentConfig b = ExperimentConfig.parse(ExperimentRunTest.TINY.replace("\"epochs\": 1", "\"epochs\": 2"),
                "b");

        assertThat(a.settingsFingerprint()).hasSize(8).isNotEqualTo(b.settingsFingerprint());
        assertThat(a.settingsFingerprint()).isEqualTo(ExperimentConfig.parse(ExperimentRunTest.TINY, "c")
                .settingsFingerprint());
    }
}
