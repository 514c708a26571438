package io.varshift.core.window;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * What every window policy promises; each policy's test subclasses this in a few lines. The
 * policies under test close after {@link #SAMPLES} samples, or {@link #DURATION} after the first
 * sample, or by whichever comes first, as {@link #closesByCount()} and {@link #closesByTime()} say.
 */
abstract class WindowPolicyContract {

    static final long SAMPLES = 100;
    static final Duration DURATION = Duration.ofSeconds(10);
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    abstract WindowPolicy policy();

    abstract boolean closesByCount();

    abstract boolean closesByTime();

    @Test
    void anEmptyWindowIsNeverDueWhateverTheClock() {
        assertThat(policy().due(null, T0.plus(Duration.ofDays(365)))).isFalse();
        assertThat(policy().full(0)).isFalse();
    }

    @Test
    void aWindowIsFullAtItsCountExactlyWhenItClosesByCount() {
        assertThat(policy().full(SAMPLES - 1)).isFalse();
        assertThat(policy().full(SAMPLES)).isEqualTo(closesByCount());
        assertThat(policy().full(10 * SAMPLES)).isEqualTo(closesByCount());
    }

    @Test
    void aWindowIsDueAtItsDurationExactlyWhenItClosesByTime() {
        assertThat(policy().due(T0, T0.plus(DURATION).minusMillis(1))).isFalse();
        assertThat(policy().due(T0, T0.plus(DURATION))).isEqualTo(closesByTime());
        assertThat(policy().due(T0, T0.plus(DURATION.multipliedBy(3)))).isEqualTo(closesByTime());
    }
}
