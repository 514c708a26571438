package io.varshift.trainer.evaluate;

import java.util.List;
import java.util.Locale;

/**
 * An arrival order of clean traffic, as a client population produces it: shuffled (i.i.d. images),
 * same-class runs of a given length (one client sending a catalogue page of one TRUE label; the runs'
 * labels are random), or one class at a given share with the rest uniform. A calibrated detector must
 * not alarm on any of them, since the inputs are unchanged; only the class mix is.
 */
public record TrafficOrder(Kind kind, double parameter) {

    /** How the labels of a window are laid out. */
    public enum Kind { SHUFFLED, RUNS, ONE_CLASS }

    /** The orders the must-show names: shuffled; runs of 4, 16, 64; one class at 30 % and 60 %. */
    public static final List<TrafficOrder> STANDARD = List.of(shuffled(), runs(4), runs(16), runs(64),
            oneClass(0.3), oneClass(0.6));

    public TrafficOrder {
        switch (kind) {
            case SHUFFLED -> {
                if (parameter != 0) {
                    throw new IllegalArgumentException("traffic order shuffled takes no parameter, got " + parameter);
                }
            }
            case RUNS -> {
                if (!(parameter >= 1) || parameter != Math.rint(parameter)) {
                    throw new IllegalArgumentException("traffic order runs: run length " + parameter
                            + " must be a whole number >= 1, e.g. 16");
                }
            }
            case ONE_CLASS -> {
                if (!(parameter > 0 && parameter < 1)) {
                    throw new IllegalArgumentException("traffic order one-class: share " + parameter
                            + " must lie in (0, 1), e.g. 0.6");
                }
            }
        }
    }

    public static TrafficOrder shuffled() {
        return new TrafficOrder(Kind.SHUFFLED, 0);
    }

    public static TrafficOrder runs(int length) {
        return new TrafficOrder(Kind.RUNS, length);
    }

    public static TrafficOrder oneClass(double share) {
        return new TrafficOrder(Kind.ONE_CLASS, share);
    }

    /** Run length of a {@link Kind#RUNS} order. */
    int runLength() {
        return (int) parameter;
    }

    /** The name in tables and JSON: shuffled, runs-16, one-class-60%. */
    public String label() {
        return switch (kind) {
            case SHUFFLED -> "shuffled";
            case RUNS -> "runs-" + runLength();
            case ONE_CLASS -> String.format(Locale.ROOT, "one-class-%.0f%%", parameter * 100);
        };
    }
}
