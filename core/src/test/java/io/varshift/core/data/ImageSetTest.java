package io.varshift.core.data;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageSetTest {

    private static final ImageSet BYTES = ImageSet.ofUnsignedBytes(
            new byte[] {0, (byte) 255, 51, 102, (byte) 204, 0}, new int[] {7, 8, 9}, 1, 1, 2);
    private static final ImageSet FLOATS = ImageSet.ofFloats(new float[] {0.5f, 0.25f, 0.75f, 1f}, new int[] {1, 2},
            1, 1, 2);

    @Test
    void joinedSetsKeepTheirSamplesAndLabelsInOrder() {
        ImageSet bytes = ImageSet.concat(BYTES.slice(1, 3), BYTES.slice(0, 1));
        assertThat(bytes.size()).isEqualTo(3);
        assertThat(new float[] {bytes.value(0, 0), bytes.value(0, 1), bytes.value(2, 1)})
                .containsExactly(0.2f, 0.4f, 1f);
        assertThat(new int[] {bytes.label(0), bytes.label(1), bytes.label(2)}).containsExactly(8, 9, 7);

        ImageSet mixed = ImageSet.concat(FLOATS.slice(1, 2), BYTES.slice(2, 3));
        assertThat(new float[] {mixed.value(0, 0), mixed.value(0, 1), mixed.value(1, 0), mixed.value(1, 1)})
                .containsExactly(0.75f, 1f, 0.8f, 0f);
        assertThat(new int[] {mixed.label(0), mixed.label(1)}).containsExactly(2, 9);
    }

    @Test
    void setsOfOtherShapesOrLabellingAreNotJoined() {
        ImageSet wide = ImageSet.ofFloats(new float[3], new int[] {0}, 1, 1, 3);
        ImageSet unlabelled = ImageSet.ofFloats(new float[2], null, 1, 1, 2);
        assertThatThrownBy(() -> ImageSet.concat(BYTES, wide)).hasMessageContaining("sample shapes");
        assertThatThrownBy(() -> ImageSet.concat(BYTES, unlabelled)).hasMessageContaining("unlabelled");
    }

    @Test
    void aSelectionCopiesTheChosenSamplesOfAViewInOrder() {
        ImageSet picked = BYTES.slice(1, 3).select(new int[] {1, 0, 1});
        assertThat(picked.size()).isEqualTo(3);
        assertThat(new float[] {picked.value(0, 0), picked.value(1, 1), picked.value(2, 1)})
                .containsExactly(0.8f, 0.4f, 0f);
        assertThat(new int[] {picked.label(0), picked.label(1), picked.label(2)}).containsExactly(9, 8, 9);
        assertThat(FLOATS.select(new int[] {1}).value(0, 1)).isEqualTo(1f);
        assertThatThrownBy(() -> BYTES.slice(1, 3).select(new int[] {2}))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }
}
