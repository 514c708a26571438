package io.varshift.trainer.adjust;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HeapBudgetTest {

    static final long[] IMAGE = {1, 28, 28};
    static final long GIB = 1L << 30;

    @Test
    void aRecalibrationThatFitsInHalfTheHeapPasses() {
        // 100000 × 784 × 4 bytes = 299 MiB, under 512 MiB.
        assertThatCode(() -> HeapBudget.check("fmnist", 100_000, IMAGE, GIB)).doesNotThrowAnyException();
    }

    @Test
    void aRecalibrationLargerThanHalfTheHeapIsRefusedWithTheNumbersAndTheFix() {
        assertThatThrownBy(() -> HeapBudget.check("fmnist", 1_000_000, IMAGE, GIB))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("recalibration of model 'fmnist': 1000000 samples × 784 floats × 4 bytes = 2990 MiB of"
                        + " images, more than 50% of the trainer's heap (512 MiB of 1024 MiB); lower the request's"
                        + " limit to at most 171196, or give the trainer more heap (-Xmx)");
    }
}
