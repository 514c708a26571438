package io.varshift.trainer.remediation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.varshift.core.alarm.Cusum;
import io.varshift.core.data.BatchFeeder;
import io.varshift.core.data.ImageSet;
import io.varshift.core.model.LoadedModel;
import io.varshift.core.reference.ModelReference;
import io.varshift.core.window.WindowJudge;
import io.varshift.core.window.WindowState;
import io.varshift.core.window.WindowVerdict;

import java.util.ArrayList;
import java.util.List;

/**
 * Judges images the way the agent judges traffic: count windows of {@code windowSamples}, each forwarded
 * in eval mode with the BN probes into core's {@link WindowState} and judged by one {@link WindowJudge}
 * (alarm states carry over from window to window, as in the agent's lane). Not thread-safe.
 */
final class WindowReplay {

    private final LoadedModel model;
    private final WindowState window;
    private final WindowJudge judge;
    private final int windowSamples;
    private final BatchFeeder feeder;
    private long windowId;

    /**
     * @param reference the reference and calibration to judge against (a candidate's, before it is written)
     */
    WindowReplay(LoadedModel model, ModelReference reference, int windowSamples, int batchSize, int enterAfter,
                 int exitAfter) {
        if (reference.calibration().isEmpty()) {
            throw new IllegalArgumentException("model '" + model.name() + "' v" + model.version()
                    + " has no calibration; windows cannot be judged (recalibrate or retrain it)");
        }
        this.model = model;
        this.window = new WindowState(reference, model.spec().classes().size());
        this.judge = new WindowJudge(reference, enterAfter, exitAfter, Cusum.DEFAULT_ARL);
        this.windowSamples = windowSamples;
        this.feeder = new BatchFeeder(Math.min(batchSize, windowSamples), model.spec().inputShape());
    }

    /** Judges the images' whole windows in order; a last partial window is not judged. */
    List<WindowVerdict> judge(ImageSet images) {
        List<WindowVerdict> verdicts = new ArrayList<>();
        NDManager base = model.model().getNDManager();
        model.probes().setListener(window.listener());
        try {
            for (int start = 0; start + windowSamples <= images.size(); start += windowSamples) {
                window.reset();
                for (int from = start; from < start + windowSamples; from += feeder.maxBatch()) {
                    int to = Math.min(start + windowSamples, from + feeder.maxBatch());
                    try (NDManager batch = base.newSubManager()) {
                        NDArray scores = model.forward(batch, feeder.images(batch, images, from, to));
                        long[] argMax = scores.argMax(1).toLongArray();
                        int[] predicted = new int[argMax.length];
                        for (int i = 0; i < argMax.length; i++) {
                            predicted[i] = Math.toIntExact(argMax[i]);
                        }
                        window.forwarded(predicted, to - from);
                    }
                }
                verdicts.add(judge.judge(window.moments(), window.cellScoreSums(), window.classCounts(), ++windowId));
            }
        } finally {
            model.probes().setListener(null);
        }
        return verdicts;
    }
}
