package io.varshift.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DecodeTargetTest {

    @Test
    void newTargetHoldsNothing() {
        DecodeTarget target = new DecodeTarget(4);
        assertThat(target.floatCount()).isZero();
        assertThat(target.byteBuffer().remaining()).isZero();
        assertThat(target.toArray()).isEmpty();
    }

    @Test
    void readingBeyondTheDecodedFloatsIsAnError() {
        DecodeTarget target = new DecodeTarget(4);
        new NpyDecoder(new int[] {2}, DecodeLimits.DEFAULT).decode(NpyWriter.float32(new float[] {1, 2}, 2), target);
        assertThat(target.get(1)).isEqualTo(2f);
        assertThatThrownBy(() -> target.get(2)).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("index 2 outside [0, 2)");
    }

    @Test
    void capacityAndLimitsMustBePositive() {
        assertThatThrownBy(() -> new DecodeTarget(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("initialFloats");
        assertThatThrownBy(() -> new DecodeLimits(0, 1)).hasMessageContaining("maxBytes");
        assertThatThrownBy(() -> new DecodeLimits(1, 0)).hasMessageContaining("maxSamples");
        assertThatThrownBy(() -> new NpyDecoder(new int[] {1, 0}, DecodeLimits.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be positive");
    }
}
