package io.varshift.stack.replay;

import io.varshift.core.corruption.ShiftKind;
import io.varshift.core.corruption.Shifts;

/**
 * What one replay sends. {@code rate} is records per second, 0 for as fast as possible. The shift
 * ({@code null} for none) starts at record {@code shiftAfterRecords}, or at the first record sent
 * {@code shiftAfterSeconds} or later after the start; with neither (both negative) it starts at once.
 */
record ReplayPlan(String topic, String model, String modelVersion, RecordFormat format, double rate, long count,
                  int batch, int startImage, ShiftKind shift, double severity, long shiftAfterRecords,
                  double shiftAfterSeconds, long seed, double progressSeconds) {

    ReplayPlan {
        if (count < 1) {
            throw new IllegalArgumentException("--count " + count + " must be at least 1");
        }
        if (batch < 1 || batch > 4096) {
            throw new IllegalArgumentException("--batch " + batch + " must be in 1..4096 samples per record");
        }
        if (!(rate >= 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("--rate " + rate + " must be a finite number >= 0 records/s (0 = as fast as possible)");
        }
        if (startImage < 0) {
            throw new IllegalArgumentException("--start " + startImage + " must be >= 0");
        }
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("--model must name the served model, e.g. --model fmnist");
        }
        Shifts.checkSeverity(severity);
        if (shift == null && (shiftAfterRecords >= 0 || shiftAfterSeconds >= 0)) {
            throw new IllegalArgumentException("--shift-after/--shift-after-seconds need a --shift KIND to switch on");
        }
        if (shiftAfterRecords >= 0 && shiftAfterSeconds >= 0) {
            throw new IllegalArgumentException("give either --shift-after N (records) or --shift-after-seconds T, not both");
        }
        if (Double.isNaN(shiftAfterSeconds) || Double.isInfinite(shiftAfterSeconds)) {
            throw new IllegalArgumentException("--shift-after-seconds " + shiftAfterSeconds + " must be a finite number of seconds");
        }
        if (!(progressSeconds > 0)) {
            throw new IllegalArgumentException("--progress-seconds " + progressSeconds + " must be > 0");
        }
    }

    /** Whether the record at {@code index}, sent {@code elapsedSeconds} after the start, is shifted. */
    boolean shifted(long index, double elapsedSeconds) {
        if (shift == null) {
            return false;
        }
        if (shiftAfterRecords >= 0) {
            return index >= shiftAfterRecords;
        }
        return shiftAfterSeconds < 0 || elapsedSeconds >= shiftAfterSeconds;
    }

    String shiftLabel() {
        return shift == null ? "none" : shift.cliName() + "@" + String.format(java.util.Locale.ROOT, "%.2f", severity);
    }
}
