package io.varshift.core.window;

import java.time.Duration;
import java.time.Instant;

/**
 * When a window closes: by sample count, by time since its first sample, or by whichever comes
 * first. Time comes from the caller's clock, so that window tests never sleep.
 */
public interface WindowPolicy {

    /** Whether a window holding {@code samples} is full. */
    boolean full(long samples);

    /** Whether a window opened at {@code openedAt} (null: nothing in it yet) is due at {@code now}. */
    boolean due(Instant openedAt, Instant now);

    /** Closes after {@code samples} samples. */
    static WindowPolicy count(long samples) {
        if (samples < 1) {
            throw new IllegalArgumentException("count window of " + samples + " samples: use at least 1");
        }
        return new WindowPolicy() {
            @Override
            public boolean full(long held) {
                return held >= samples;
            }

            @Override
            public boolean due(Instant openedAt, Instant now) {
                return false;
            }

            @Override
            public String toString() {
                return samples + " samples";
            }
        };
    }

    /** Closes {@code duration} after its first sample. */
    static WindowPolicy time(Duration duration) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("time window of " + duration + ": use a positive duration, e.g. 5m");
        }
        return new WindowPolicy() {
            @Override
            public boolean full(long held) {
                return false;
            }

            @Override
            public boolean due(Instant openedAt, Instant now) {
                return openedAt != null && !now.isBefore(openedAt.plus(duration));
            }

            @Override
            public String toString() {
                return duration.toString();
            }
        };
    }

    /** Closes by whichever of the two comes first. */
    static WindowPolicy firstOf(WindowPolicy a, WindowPolicy b) {
        return new WindowPolicy() {
            @Override
            public boolean full(long held) {
                return a.full(held) || b.full(held);
            }

            @Override
            public boolean due(Instant openedAt, Instant now) {
                return a.due(openedAt, now) || b.due(openedAt, now);
            }

            @Override
            public String toString() {
                return a + " or " + b;
            }
        };
    }

    /**
     * The agent's policy from its settings.
     *
     * @param samples samples per window, 0 for time windows only
     * @param durationOrNull longest window, null for count windows only
     */
    static WindowPolicy of(int samples, Duration durationOrNull) {
        if (samples <= 0 && durationOrNull == null) {
            throw new IllegalArgumentException("a window needs a sample count, a duration, or both");
        }
        if (samples <= 0) {
            return time(durationOrNull);
        }
        return durationOrNull == null ? count(samples) : firstOf(count(samples), time(durationOrNull));
    }
}
