package io.varshift.stack.replay;

import java.util.Locale;

/**
 * What a replay sent. {@code shiftOnsetRecord} is the index of the first shifted record (-1 when none
 * was shifted) and {@code shiftOnsetSeconds} when it was sent, from the start of the replay.
 */
record ReplaySummary(String topic, String model, long records, long samples, double seconds, String shift,
                     long shiftOnsetRecord, double shiftOnsetSeconds) {

    double recordsPerSecond() {
        return seconds > 0 ? records / seconds : Double.NaN;
    }

    /** The one-line summary, {@code key=value} pairs after a short sentence, so scripts can pick fields. */
    String line() {
        String onset = shiftOnsetRecord < 0 ? "shift_onset_record=none shift_onset_seconds=none"
                : String.format(Locale.ROOT, "shift_onset_record=%d shift_onset_seconds=%.3f", shiftOnsetRecord, shiftOnsetSeconds);
        return String.format(Locale.ROOT, "replay done: records=%d samples=%d seconds=%.3f rate=%.1f topic=%s model=%s shift=%s %s",
                records, samples, seconds, recordsPerSecond(), topic, model, shift, onset);
    }
}
