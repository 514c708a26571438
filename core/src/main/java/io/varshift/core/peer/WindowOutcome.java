package io.varshift.core.peer;

/** What a {@link WindowDetector} says about one window: its p-value and the raw statistic behind it. */
public interface WindowOutcome {

    /** P(statistic at least this extreme | the window is drawn like the reference). */
    double pValue();

    /** The detector's raw statistic; larger means further from the reference. */
    double statistic();
}
