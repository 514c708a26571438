package io.varshift.trainer.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.varshift.core.shift.LayerStatistics;
import io.varshift.core.spec.ModelSpec;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ShiftReportTest {

    private static LayerStatistics ratio(double r) {
        return new LayerStatistics(r, Math.max(r, 1 / r), 1, 1, 0);
    }

    private final ShiftReport report = new ShiftReport("fmnist", 3,
            ModelSpec.fashionMnist(ModelSpec.Architecture.CONVNET).optDropout(ModelSpec.DropoutPlacement.BEFORE_BN,
                    ModelSpec.DropoutKind.BERNOULLI).optDropRatio(0.5).build(), null,
            1000, 500, 0.9, 0.88, List.of(
                    new LayerShift("block1.bn1", 16, 2.0, ratio(1.01), ratio(0.99), null),
                    new LayerShift("block1.bn2", 16, 4.0, ratio(0.5), ratio(0.48),
                            new DropoutTheory(ModelSpec.DropoutKind.BERNOULLI, 0.5, 0, 0.52, false))));

    @Test
    void theJsonCarriesBothSplitsAndTheTheoryWithItsRelativeDifference() {
        JsonNode layer = report.toJson().get("layers").get(1);
        assertThat(layer.get("train").get("ratio").asDouble()).isEqualTo(0.5);
        assertThat(layer.get("train").get("realVariance").asDouble()).isEqualTo(2.0);
        assertThat(layer.get("heldOut").get("shift").asDouble()).isEqualTo(1 / 0.48);
        assertThat(layer.get("theory").get("relativeDifference").asDouble())
                .isEqualTo(0.5 / 0.52 - 1);
        assertThat(report.toJson().get("layers").get(0).get("theory").isNull())
                .isTrue();
    }

    @Test
    void theTextTableHasOneRowPerLayerAndSaysWhatTheRatioIs() {
        assertThat(report.toText())
                .contains("retain ratio p = 0.500")
                .contains("channel-averaged real variance")
                .containsPattern("block1\\.bn1 +16 .* -\\n")
                .containsPattern("block1\\.bn2 +16 .* 0\\.5200\\n");
    }

    @Test
    void aReestimatedVersionSaysSoInsteadOfClaimingTheTrainingStatistics() {
        ShiftReport adjusted = new ShiftReport("fmnist", 4, report.spec(), "adjust-bn from v3", 1000, 500, 0.9, 0.9,
                List.of(new LayerShift("block1.bn1", 16, 2.0, ratio(1.0), ratio(0.99), null)));
        assertThat(adjusted.toText()).contains("re-estimated (adjust-bn from v3)");
        assertThat(adjusted.toJson().get("runningStatistics").asText())
                .isEqualTo("re-estimated: adjust-bn from v3");
        assertThat(report.toJson().get("runningStatistics").asText()).isEqualTo("from training");
    }

    @Test
    void theChartIsAPng() {
        byte[] png = ShiftChart.png(report);
        assertThat(png).startsWith(0x89, 'P', 'N', 'G');
    }
}
