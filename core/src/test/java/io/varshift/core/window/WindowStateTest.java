package io.varshift.core.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.varshift.core.reference.LayerReference;
import io.varshift.core.reference.ModelReference;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class WindowStateTest {

    static final ModelReference REFERENCE = new ModelReference(List.of(
            new LayerReference("bn1", new double[] {1, 2}, new double[] {1, 1})));

    @Test
    void foldedBatchesAndClassCountsMakeTheWindowAndResetStartsAnEmptyOne() {
        WindowState w = new WindowState(REFERENCE, 3);
        assertThat(w.isEmpty()).isTrue();
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        w.open(t0);
        w.open(t0.plusSeconds(5));
        // Two samples of one position: channel 0 sees 1 and 3 (sums shifted by the running mean 1).
        w.fold(0, new float[] {0, 0, 2, 0}, new float[] {0, 0, 4, 0}, 2, 1);
        w.classCountsForForward()[2] += 2;
        w.forwarded(2);
        assertThat(w.openedAt()).isEqualTo(t0);
        assertThat(w.samples()).isEqualTo(2);
        assertThat(w.moments().get(0).mean(0)).isCloseTo(2, within(1e-12));
        assertThat(w.moments().get(0).variance(0)).isCloseTo(1, within(1e-12));
        assertThat(w.classCounts()).containsExactly(0, 0, 2);

        var closed = w.moments();
        w.reset();
        assertThat(w.isEmpty()).isTrue();
        assertThat(w.samples()).isZero();
        assertThat(w.classCounts()).containsExactly(0, 0, 0);
        assertThat(w.moments().get(0).count()).isZero();
        assertThat(closed.get(0).count()).as("a closed window keeps its moments").isEqualTo(2);
    }

    @Test
    void aPolicyWithoutCountOrDurationAndAModelWithoutClassesAreRefused() {
        assertThatThrownBy(() -> WindowPolicy.of(0, null)).hasMessageContaining("a sample count, a duration, or both");
        assertThatThrownBy(() -> new WindowState(REFERENCE, 0)).hasMessageContaining("classes = 0");
    }
}
