package io.varshift.core.window;

import io.varshift.core.moments.ChannelMoments;
import io.varshift.core.reference.LayerReference;
import io.varshift.core.reference.ModelReference;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The open window of one model version: per BN layer the input moments (shifted by the layer's
 * stored running mean), the samples per predicted class, the sample count and when it opened.
 * Where the samples came from (Kafka offsets) is the agent's. Not thread-safe.
 */
public final class WindowState {

    private final ModelReference reference;
    private final int classes;
    private List<ChannelMoments> moments;
    private long[] classCounts;
    private long samples;
    private Instant openedAt;

    /** @param classes the model's output classes */
    public WindowState(ModelReference reference, int classes) {
        if (classes < 1) {
            throw new IllegalArgumentException("window state: classes = " + classes + " must be >= 1");
        }
        this.reference = reference;
        this.classes = classes;
        reset();
    }

    /** Marks the window open at {@code now} if it is not yet. */
    public void open(Instant now) {
        if (openedAt == null) {
            openedAt = now;
        }
    }

    /** Folds one layer's probe sums of a forwarded batch (a {@code BnProbes.Listener}). */
    public void fold(int layer, float[] s1, float[] s2, int batchSamples, long positions) {
        moments.get(layer).addSampleSums(s1, s2, batchSamples, positions);
    }

    /** The class counts a forward adds its predictions to. */
    public long[] classCountsForForward() {
        return classCounts;
    }

    /** Records that a forward of {@code forwarded} samples has been folded in. */
    public void forwarded(int forwarded) {
        samples += forwarded;
    }

    public long samples() {
        return samples;
    }

    /** When the first sample arrived, or null while the window is empty. */
    public Instant openedAt() {
        return openedAt;
    }

    public boolean isEmpty() {
        return openedAt == null;
    }

    /** The moments in layer order; the window's own objects, valid until {@link #reset()}. */
    public List<ChannelMoments> moments() {
        return moments;
    }

    /** A copy of the samples per predicted class. */
    public long[] classCounts() {
        return classCounts.clone();
    }

    /** Starts an empty window. */
    public void reset() {
        List<ChannelMoments> fresh = new ArrayList<>();
        for (LayerReference layer : reference.layers()) {
            fresh.add(new ChannelMoments(layer.runningMean()));
        }
        moments = fresh;
        classCounts = new long[classes];
        samples = 0;
        openedAt = null;
    }
}
