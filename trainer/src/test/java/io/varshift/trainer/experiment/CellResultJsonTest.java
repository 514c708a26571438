package io.varshift.trainer.experiment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.json.Json;
import io.varshift.core.spec.ModelSpec.Architecture;
import io.varshift.core.spec.ModelSpec.DropoutPlacement;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A cell file's layout: what the resumed sweep reads back, in the stored format 2. */
class CellResultJsonTest {

    private final CellResult result = new CellResult(Cell.bernoulli(Architecture.CONVNET, 16,
            DropoutPlacement.BEFORE_BN, 0.5, 1), 0.8, 12.5,
            new CellResult.Measurement(0.2, 0.1, List.of(new CellResult.LayerRow("block1.bn1", 4, 2.0, 0.5, 0.48,
                    1.5))),
            new CellResult.Measurement(0.15, 0.1, List.of(new CellResult.LayerRow("block1.bn1", 4, 1.0, 1.0, 0.99,
                    1.1))),
            List.of(CellResult.TheoryRow.direct("block1.bn2", 0.51, 0.5)));

    @Test
    void aCellResultIsStoredInFormatTwoAndReadsBackEqual() {
        ObjectNode json = result.toJson();
        assertThat(Json.compact(json)).isEqualTo("{\"format\":2,\"cell\":{\"architecture\":\"convnet\",\"width\":16,"
                + "\"placement\":\"before-bn\",\"kind\":\"bernoulli\",\"dropRatio\":0.5,\"retainRatio\":0.5,"
                + "\"uoutBeta\":0.0,\"seed\":1},\"trainAccuracy\":0.8,\"seconds\":12.5,"
                + "\"before\":{\"heldOutError\":0.2,\"trainError\":0.1,\"layers\":[{\"layer\":\"block1.bn1\","
                + "\"channels\":4,\"movingVariance\":2.0,\"trainRatio\":0.5,\"heldOutRatio\":0.48,"
                + "\"heldOutMaxChannelShift\":1.5}]},"
                + "\"after\":{\"heldOutError\":0.15,\"trainError\":0.1,\"layers\":[{\"layer\":\"block1.bn1\","
                + "\"channels\":4,\"movingVariance\":1.0,\"trainRatio\":1.0,\"heldOutRatio\":0.99,"
                + "\"heldOutMaxChannelShift\":1.1}]},"
                + "\"theory\":[{\"layer\":\"block1.bn2\",\"equation\":\"8\",\"measuredDelta\":0.51,"
                + "\"theoryDelta\":0.5}]}");
        CellResult back = CellResult.fromJson(Json.parse(Json.pretty(json)));
        assertThat(back.cell()).isEqualTo(result.cell());
        assertThat(back.before()).isEqualTo(result.before());
        assertThat(back.after()).isEqualTo(result.after());
        assertThat(back.theory()).hasSize(1);
        assertThat(back.theory().get(0).dCos2Theta()).isNaN();
    }

    @Test
    void aTheoryRowThroughAConvKeepsItsEq14Fields() {
        CellResult.TheoryRow row = new CellResult.TheoryRow("block1.bn2", "12", 0.6, 0.61, 3.5, 0.45, 144, 0.12,
                0.58);
        assertThat(CellResult.theoryFromJson(CellResult.theoryJson(List.of(row)))).containsExactly(row);
    }

    @Test
    void aCellFileWithAMissingMeasurementFieldIsRefusedSoTheCellIsComputedAgain() {
        ObjectNode json = result.toJson();
        ((ObjectNode) json.get("after")).remove("trainError");
        assertThatThrownBy(() -> CellResult.fromJson(json)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("trainError");
    }
}
