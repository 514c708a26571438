package io.varshift.core.window;

import java.util.List;

/**
 * The judgement of one closed window: every layer's statistics and signal; the model-level verdict
 * (its false-alarm rate is α per window for the whole model); the prediction-mix signal (the class
 * mix changed, told apart from changed inputs); and the sequential CUSUM over model scores.
 *
 * @param calibratedWindow the calibrated window size whose null judged it (0 without calibration)
 * @param samples samples in the window
 * @param classCounts the window's samples per predicted class
 */
public record WindowVerdict(int calibratedWindow, long samples, long[] classCounts, List<LayerVerdict> layers,
        Signal model, Signal predictionMix, Sequential sequential) {

    public WindowVerdict {
        layers = List.copyOf(layers);
        classCounts = classCounts.clone();
    }

    /**
     * The CUSUM after this window: statistic against threshold h, and whether it is over. It feeds
     * the model's alarm state together with the per-window verdict.
     */
    public record Sequential(double statistic, double threshold, boolean over) {
    }

    /** Whether the window was judged against a calibrated null. */
    public boolean judged() {
        return calibratedWindow > 0;
    }
}
