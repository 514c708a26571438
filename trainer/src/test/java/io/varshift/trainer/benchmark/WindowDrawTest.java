package io.varshift.trainer.benchmark;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WindowDrawTest {

    @Test
    void everyWindowHoldsDistinctRowsOfThePool() {
        WindowDraw draw = new WindowDraw(new int[] {3, 5, 7, 9, 11, 13});
        SplittableRandom random = new SplittableRandom(1);
        int[] window = new int[4];
        for (int t = 0; t < 200; t++) {
            draw.draw(random, window);
            assertThat(Arrays.stream(window).distinct().count()).isEqualTo(4);
            assertThat(Arrays.stream(window).boxed().toList()).allMatch(r -> r % 2 == 1 && r >= 3 && r <= 13);
        }
    }

    @Test
    void everyRowIsDrawnEquallyOften() {
        // 20 000 windows of 3 of 10 rows: each row 6000 times in expectation, sd about 65.
        WindowDraw draw = WindowDraw.all(10);
        SplittableRandom random = new SplittableRandom(2);
        int[] counts = new int[10];
        int[] window = new int[3];
        for (int t = 0; t < 20_000; t++) {
            for (int r : draw.draw(random, window)) {
                counts[r]++;
            }
        }
        assertThat(Arrays.stream(counts).boxed().toList()).allMatch(c -> Math.abs(c - 6000) < 300);
    }

    @Test
    void aWindowLargerThanThePoolIsRefused() {
        assertThatThrownBy(() -> WindowDraw.all(3).draw(new SplittableRandom(3), new int[4]))
                .hasMessageContaining("a window of 4 distinct rows needs a pool of at least that many; this one has 3");
    }
}
